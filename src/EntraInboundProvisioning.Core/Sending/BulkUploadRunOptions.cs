using System;

namespace EntraInboundProvisioning.Sending
{
    /// <summary>How a <see cref="BulkUploadRun"/> sends: pacing, retries, the daily limit, pausing the job, resuming.</summary>
    public sealed class BulkUploadRunOptions
    {
        /// <summary>Requests in flight at once.</summary>
        public int MaxConcurrency { get; set; } = 4;

        /// <summary>Calls per window per job; Graph allows 40 per 5 seconds.</summary>
        public int CallsPerWindow { get; set; } = 40;

        /// <summary>The pacing window.</summary>
        public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>Attempts per request, the first included.</summary>
        public int MaxAttempts { get; set; } = 6;

        /// <summary>The tenant's daily bulkUpload quota (2,000 with P1/P2, 6,000 with Governance).</summary>
        public int DailyRequestLimit { get; set; } = 2000;

        /// <summary>Skip requests the journal shows were accepted (the same content).</summary>
        public bool Resume { get; set; }

        /// <summary>Pause the job for the upload and start it again afterwards (-RestartService).</summary>
        public bool PauseJob { get; set; }

        /// <summary>The longest Retry-After a 429 may ask for before the run stops instead of waiting (an exhausted quota asks for hours).</summary>
        public TimeSpan LongestWait { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary>How many runs the state's history keeps from now on; null leaves the state's setting (400 by default).</summary>
        public int? HistoryLimit { get; set; }

        /// <summary>How long a stopped run waits for the calls in flight to be answered before it cancels them.</summary>
        public TimeSpan AbortWait { get; set; } = TimeSpan.FromSeconds(30);
    }
}
