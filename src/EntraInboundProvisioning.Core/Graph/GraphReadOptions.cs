using System;

namespace EntraInboundProvisioning.Graph
{
    /// <summary>How the session reads from Graph: the pace of the reports and the retries of every read.</summary>
    public sealed class GraphReadOptions
    {
        /// <summary>
        /// Reads of the identity and access reports (auditLogs, which holds the provisioning logs) per
        /// <see cref="ReportsWindow"/>: Microsoft Graph's service-specific throttling limits allow 5 requests per 10 seconds
        /// per app per tenant, and answer 429 with Retry-After beyond.
        /// </summary>
        public int ReportsCallsPerWindow { get; set; } = 5;

        /// <summary>The reports window: 10 seconds.</summary>
        public TimeSpan ReportsWindow { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>Attempts per read, the first included, before a throttled, failed (5xx) or dropped read is given up.</summary>
        public int MaxAttempts { get; set; } = 8;

        /// <summary>First retry delay without Retry-After; it doubles per attempt (each wait drawn between half and all of it).</summary>
        public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>The longest wait between attempts without Retry-After (a longer Retry-After is still honoured).</summary>
        public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>Seeds the retry jitter (tests); null for a random seed.</summary>
        public int? JitterSeed { get; set; }
    }
}
