using System;
using System.Collections.Generic;
using System.Linq;

namespace EntraInboundProvisioning.Logs
{
    /// <summary>One row of a cycle's statistics: an action and how many entries had each status.</summary>
    public sealed class CycleStatisticsRow
    {
        internal CycleStatisticsRow(ProvisioningAction action, int success, int failure, int skipped, int warning)
        {
            Action = action;
            Success = success;
            Failure = failure;
            Skipped = skipped;
            Warning = warning;
        }

        /// <summary>The action.</summary>
        public ProvisioningAction Action { get; }

        /// <summary>Succeeded.</summary>
        public int Success { get; }

        /// <summary>Failed.</summary>
        public int Failure { get; }

        /// <summary>Skipped.</summary>
        public int Skipped { get; }

        /// <summary>With warnings.</summary>
        public int Warning { get; }
    }
}
