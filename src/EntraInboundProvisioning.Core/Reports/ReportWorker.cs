using System;

namespace EntraInboundProvisioning.Reports
{
    /// <summary>A worker as a report lists them.</summary>
    public sealed class ReportWorker
    {
        /// <summary>Creates a worker line.</summary>
        public ReportWorker(string externalId, string userName, DateTimeOffset when, string? error, bool active, bool? confirmed = null)
        {
            Confirmed = confirmed;
            ExternalId = externalId;
            UserName = userName;
            When = when;
            Error = error;
            Active = active;
        }

        /// <summary>The worker's externalId.</summary>
        public string ExternalId { get; }

        /// <summary>The userName last sent.</summary>
        public string UserName { get; }

        /// <summary>When the record was accepted (or logged).</summary>
        public DateTimeOffset When { get; }

        /// <summary>The last error, "Code: reason".</summary>
        public string? Error { get; }

        /// <summary>
        /// For a leaver, what a provisioning cycle said of the disable: true (it went through), false (it failed; see
        /// <see cref="Error"/>), or null (no cycle has said yet).
        /// </summary>
        public bool? Confirmed { get; }

        /// <summary>False for a worker HR marks inactive (their failure may leave an account enabled).</summary>
        public bool Active { get; }
    }
}
