using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace EntraInboundProvisioning.Logs
{
    /// <summary>
    /// Reads the most recent cycles of a query a page at a time and says what each page adds: the entries inside the
    /// window (newest first), and at the end the cycles with their statistics. A caller writes and learns each step
    /// before it asks for the next, so memory holds one page and the cycles' counts, never the log.
    /// <para>
    /// One query streams: reading stops at the first entry of an older cycle. A query for more records than one URL holds
    /// is read as groups (<see cref="ProvisioningLogQuery.Split"/>), each to its own most recent cycles; the most recent
    /// cycles over all groups are known only at the end, so the groups' entries (the given records' only) are held until
    /// then and come out in one last step.
    /// </para>
    /// </summary>
    public sealed class RecentCycles
    {
        private readonly LogCursor _cursor;
        private readonly int _cycles;
        private readonly List<CycleWindow> _windows = new List<CycleWindow>();
        private readonly Dictionary<string, CycleTally> _tallies = new Dictionary<string, CycleTally>(StringComparer.Ordinal);
        private readonly List<ProvisioningLogEntry>? _held;
        private bool _finished;

        /// <summary>Starts reading the <paramref name="cycles"/> most recent cycles that <paramref name="query"/> matches.</summary>
        public RecentCycles(ProvisioningLogReader reader, ProvisioningLogQuery query, int cycles)
        {
            if (query.Ascending)
            {
                throw new ArgumentException("Recent cycles are read newest first.", nameof(query));
            }

            _cycles = cycles;
            _cursor = reader.Open(query);
            for (int i = 0; i < _cursor.Groups; i++)
            {
                _windows.Add(new CycleWindow(cycles));
            }

            _held = _cursor.Groups > 1 ? new List<ProvisioningLogEntry>() : null;
        }

        /// <summary>The groups the query was read as.</summary>
        public int Groups => _cursor.Groups;

        /// <summary>
        /// The next step: the entries a page added inside the window, and (in the last step) the cycles, most recent first.
        /// Null once everything was returned.
        /// </summary>
        public async Task<RecentCyclesStep?> NextAsync(CancellationToken cancellationToken)
        {
            if (_finished)
            {
                return null;
            }

            IReadOnlyList<ProvisioningLogEntry>? page = await _cursor.NextPageAsync(cancellationToken).ConfigureAwait(false);
            if (page is null)
            {
                _finished = true;
                return Last();
            }

            CycleWindow window = _windows[_cursor.Group];
            var inside = new List<ProvisioningLogEntry>(page.Count);
            foreach (ProvisioningLogEntry entry in page)
            {
                if (!window.Admit(entry))
                {
                    break;
                }

                inside.Add(entry);
            }

            if (window.IsClosed)
            {
                _cursor.EndGroup();
            }

            if (_held is not null)
            {
                _held.AddRange(inside);
                return new RecentCyclesStep(Array.Empty<ProvisioningLogEntry>(), Array.Empty<ProvisioningCycle>());
            }

            foreach (ProvisioningLogEntry entry in inside)
            {
                Tally(entry);
            }

            return new RecentCyclesStep(inside, Array.Empty<ProvisioningCycle>());
        }

        private RecentCyclesStep Last()
        {
            var entries = new List<ProvisioningLogEntry>();
            if (_held is not null)
            {
                // The most recent cycles over every group: by each cycle's newest entry.
                var newest = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
                foreach (ProvisioningLogEntry entry in _held)
                {
                    if (!newest.TryGetValue(entry.CycleId, out DateTimeOffset at) || entry.ActivityDateTime > at)
                    {
                        newest[entry.CycleId] = entry.ActivityDateTime;
                    }
                }

                var kept = new HashSet<string>(newest.OrderByDescending(p => p.Value).Take(_cycles).Select(p => p.Key), StringComparer.Ordinal);
                entries.AddRange(_held.Where(e => kept.Contains(e.CycleId)).OrderByDescending(e => e.ActivityDateTime));
                _held.Clear();
                foreach (ProvisioningLogEntry entry in entries)
                {
                    Tally(entry);
                }
            }

            IReadOnlyList<ProvisioningCycle> cycles = _tallies.Values.Select(t => t.ToCycle()).OrderByDescending(c => c.End).ToArray();
            return new RecentCyclesStep(entries, cycles);
        }

        private void Tally(ProvisioningLogEntry entry)
        {
            if (!_tallies.TryGetValue(entry.CycleId, out CycleTally? tally))
            {
                tally = new CycleTally(entry.CycleId);
                _tallies.Add(entry.CycleId, tally);
            }

            tally.Add(entry);
        }
    }
}
