using System;
using System.Collections.Generic;

namespace EntraInboundProvisioning.Logs
{
    /// <summary>
    /// The most recent cycles of entries read newest first: an entry is inside while it belongs to one of the first
    /// <c>n</c> cycles met; the first entry of an older cycle closes the window, and no later page is needed. One ordered,
    /// paged query instead of one query per cycle.
    /// </summary>
    public sealed class CycleWindow
    {
        private readonly int _cycles;
        private readonly List<string> _order = new List<string>();
        private readonly HashSet<string> _known = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>A window of the <paramref name="cycles"/> most recent cycles.</summary>
        public CycleWindow(int cycles)
        {
            if (cycles < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(cycles), cycles, "At least one cycle.");
            }

            _cycles = cycles;
        }

        /// <summary>True once an entry of an older cycle than the ones wanted was met.</summary>
        public bool IsClosed { get; private set; }

        /// <summary>The cycles met, most recent first.</summary>
        public IReadOnlyList<string> Cycles => _order;

        /// <summary>Places the next entry (newest first): true when it is inside the window.</summary>
        public bool Admit(ProvisioningLogEntry entry)
        {
            if (IsClosed)
            {
                return false;
            }

            if (_known.Contains(entry.CycleId))
            {
                return true;
            }

            if (_order.Count == _cycles)
            {
                IsClosed = true;
                return false;
            }

            _order.Add(entry.CycleId);
            _known.Add(entry.CycleId);
            return true;
        }
    }
}
