using System;
using System.Collections.Generic;
using System.Linq;

namespace EntraInboundProvisioning.Logs
{
    /// <summary>The outcomes the statistics count.</summary>
    public enum ProvisioningStatus
    {
        /// <summary>Done.</summary>
        Success,
        /// <summary>Failed; the entry says why.</summary>
        Failure,
        /// <summary>Nothing to do, or out of scope.</summary>
        Skipped,
        /// <summary>Done with a warning.</summary>
        Warning,
    }
}
