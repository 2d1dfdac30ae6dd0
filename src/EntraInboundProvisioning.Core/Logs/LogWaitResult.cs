using System.Collections.Generic;

namespace EntraInboundProvisioning.Logs
{
    /// <summary>The outcome of waiting for records to show up in the provisioning logs.</summary>
    public sealed class LogWaitResult
    {
        internal LogWaitResult(IReadOnlyList<ProvisioningLogEntry> outcomes, IReadOnlyList<string> missing, int polls)
        {
            Outcomes = outcomes;
            Missing = missing;
            Polls = polls;
        }

        /// <summary>The latest entry of each record that has one.</summary>
        public IReadOnlyList<ProvisioningLogEntry> Outcomes { get; }

        /// <summary>Records with no entry yet when the wait ended.</summary>
        public IReadOnlyList<string> Missing { get; }

        /// <summary>How many times the logs were read.</summary>
        public int Polls { get; }
    }
}
