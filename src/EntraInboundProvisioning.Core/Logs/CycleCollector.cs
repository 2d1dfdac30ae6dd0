using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace EntraInboundProvisioning.Logs
{
    /// <summary>
    /// Groups log entries (read newest first) into the most recent cycles, stopping as soon as it has seen the
    /// start of one cycle more than it needs: one ordered, paged query instead of one query per cycle.
    /// </summary>
    public sealed class CycleCollector
    {
        private readonly int _cycles;
        private readonly List<string> _order = new List<string>();
        private readonly Dictionary<string, List<ProvisioningLogEntry>> _entries = new Dictionary<string, List<ProvisioningLogEntry>>(StringComparer.Ordinal);

        /// <summary>Collects the <paramref name="cycles"/> most recent cycles.</summary>
        public CycleCollector(int cycles)
        {
            if (cycles < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(cycles), cycles, "At least one cycle.");
            }

            _cycles = cycles;
        }

        /// <summary>True once an entry of an older cycle than the ones wanted was seen: no more pages are needed.</summary>
        public bool IsComplete { get; private set; }

        /// <summary>Adds entries of the next page; returns <see cref="IsComplete"/>.</summary>
        public bool Add(IEnumerable<ProvisioningLogEntry> page)
        {
            foreach (ProvisioningLogEntry entry in page)
            {
                if (!_entries.TryGetValue(entry.CycleId, out List<ProvisioningLogEntry>? list))
                {
                    if (_order.Count == _cycles)
                    {
                        IsComplete = true;
                        return true;
                    }

                    list = new List<ProvisioningLogEntry>();
                    _entries.Add(entry.CycleId, list);
                    _order.Add(entry.CycleId);
                }

                list.Add(entry);
            }

            return false;
        }

        /// <summary>The collected cycles, most recent first.</summary>
        public IReadOnlyList<ProvisioningCycle> Cycles() => _order.Select(id => new ProvisioningCycle(id, _entries[id])).ToArray();
    }
}
