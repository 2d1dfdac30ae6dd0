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
