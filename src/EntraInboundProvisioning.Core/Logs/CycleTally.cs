using System;
using System.Collections.Generic;

namespace EntraInboundProvisioning.Logs
{
    /// <summary>
    /// The statistics of one cycle, counted entry by entry as pages stream past: start, end, changes, distinct records
    /// and the action × status table. Only the records' externalIds are kept (to count them once), never the entries.
    /// </summary>
    public sealed class CycleTally
    {
        private readonly int[,] _counts = new int[6, 4];
        private readonly HashSet<string> _records = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Starts the tally of a cycle.</summary>
        public CycleTally(string cycleId) => CycleId = cycleId;

        /// <summary>The cycle.</summary>
        public string CycleId { get; }

        /// <summary>Entries counted.</summary>
        public int Changes { get; private set; }

        private string _jobId = string.Empty;
        private DateTimeOffset _start = DateTimeOffset.MaxValue;
        private DateTimeOffset _end = DateTimeOffset.MinValue;

        /// <summary>Counts an entry of the cycle.</summary>
        public void Add(ProvisioningLogEntry entry)
        {
            if (!string.Equals(entry.CycleId, CycleId, StringComparison.Ordinal))
            {
                throw new ArgumentException($"Entry {entry.Id} belongs to cycle {entry.CycleId}, not {CycleId}.", nameof(entry));
            }

            _jobId = entry.JobId;
            _start = entry.ActivityDateTime < _start ? entry.ActivityDateTime : _start;
            _end = entry.ActivityDateTime > _end ? entry.ActivityDateTime : _end;
            _records.Add(entry.ExternalId);
            _counts[(int)ProvisioningCycle.ParseAction(entry.Action), (int)ProvisioningCycle.ParseStatus(entry.Status)]++;
            Changes++;
        }

        /// <summary>The cycle with its statistics (and no entries).</summary>
        /// <exception cref="InvalidOperationException">No entry was counted.</exception>
        public ProvisioningCycle ToCycle()
            => Changes == 0
                ? throw new InvalidOperationException("A cycle has at least one entry.")
                : new ProvisioningCycle(CycleId, _jobId, _start, _end, Changes, _records.Count, _counts);
    }
}
