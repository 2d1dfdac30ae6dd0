using System;
using System.Collections.Generic;

namespace EntraInboundProvisioning.Sending
{
    /// <summary>What happened to one bulk request.</summary>
    public enum BulkUploadStatus
    {
        /// <summary>The service accepted it (202); processing follows asynchronously.</summary>
        Accepted,
        /// <summary>It failed; Error says why.</summary>
        Failed,
        /// <summary>A journal showed it was accepted in an earlier run (-Resume).</summary>
        AlreadyAccepted,
        /// <summary>Not sent: the daily request limit was reached, or the run was stopped first.</summary>
        NotSent,
    }
}
