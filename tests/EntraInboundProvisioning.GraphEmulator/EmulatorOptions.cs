using System;

namespace EntraInboundProvisioning.GraphEmulator
{
    /// <summary>How the emulator behaves; every default is the real service's documented value.</summary>
    public sealed class EmulatorOptions
    {
        /// <summary>Seeds fault injection, so a run is repeatable.</summary>
        public int Seed { get; set; } = 1;

        /// <summary>bulkUpload calls per job per window (Graph: 40 per 5 seconds).</summary>
        public int ThrottleLimit { get; set; } = 40;

        /// <summary>The throttling window.</summary>
        public TimeSpan ThrottleWindow { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>bulkUpload calls per tenant per 24 hours (2,000 with P1/P2).</summary>
        public int DailyQuota { get; set; } = 2000;

        /// <summary>
        /// Calls to the identity and access reports (auditLogs, which holds provisioning) per app per tenant per
        /// <see cref="ReportsWindow"/>: Microsoft Graph allows 5 per 10 seconds and answers 429 with Retry-After beyond.
        /// </summary>
        public int ReportsLimit { get; set; } = 5;

        /// <summary>The reports window (10 seconds at the service); tests shorten it to stay fast.</summary>
        public TimeSpan ReportsWindow { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>
        /// The most provisioning log entries one page returns, whatever $top asks. The API documents $top without a
        /// maximum; its sibling report, signIns, documents 1,000 as the largest page. Tests lower it to get many pages
        /// from few entries (server-driven paging: a page smaller than $top, with a nextLink).
        /// </summary>
        public int LogPageLimit { get; set; } = 1000;

        /// <summary>Lifetime of issued access tokens.</summary>
        public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

        /// <summary>Added to every Graph request.</summary>
        public TimeSpan Latency { get; set; } = TimeSpan.Zero;

        /// <summary>Run a cycle this long after an upload; null: cycles run only when a test asks (RunCycle).</summary>
        public TimeSpan? CycleDelay { get; set; }

        /// <summary>Listen address; https://127.0.0.1:0 (a free port) by default.</summary>
        public string? Urls { get; set; }
    }
}
