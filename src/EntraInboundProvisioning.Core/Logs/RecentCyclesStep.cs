using System.Collections.Generic;

namespace EntraInboundProvisioning.Logs
{
    /// <summary>What one step of <see cref="RecentCycles"/> adds: entries inside the window, and at the end the cycles.</summary>
    public sealed class RecentCyclesStep
    {
        internal RecentCyclesStep(IReadOnlyList<ProvisioningLogEntry> entries, IReadOnlyList<ProvisioningCycle> cycles)
        {
            Entries = entries;
            Cycles = cycles;
        }

        /// <summary>Entries of the most recent cycles, newest first.</summary>
        public IReadOnlyList<ProvisioningLogEntry> Entries { get; }

        /// <summary>The cycles with their statistics, most recent first; only in the last step.</summary>
        public IReadOnlyList<ProvisioningCycle> Cycles { get; }
    }
}
