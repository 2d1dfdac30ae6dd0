using System;
using System.Collections.Generic;

namespace EntraInboundProvisioning.Logs
{
    /// <summary>What one step of <see cref="OutcomeWait"/> adds: outcomes a page held, or the pause before the next read.</summary>
    public sealed class OutcomeWaitStep
    {
        internal OutcomeWaitStep(IReadOnlyList<ProvisioningLogEntry> outcomes, TimeSpan? nextReadIn)
        {
            Outcomes = outcomes;
            NextReadIn = nextReadIn;
        }

        /// <summary>Entries that are outcomes of records the wait wants, oldest first.</summary>
        public IReadOnlyList<ProvisioningLogEntry> Outcomes { get; }

        /// <summary>Set when a read ended without every outcome: how long the wait pauses before reading again.</summary>
        public TimeSpan? NextReadIn { get; }
    }
}
