using System;

namespace EntraInboundProvisioning.Sending
{
    /// <summary>How to send bulk requests.</summary>
    public sealed class SendOptions
    {
        /// <summary>Calls per window per job; Graph allows 40 per 5 seconds.</summary>
        public int CallsPerWindow { get; set; } = 40;

        /// <summary>The pacing window.</summary>
        public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>Requests in flight at once.</summary>
        public int MaxConcurrency { get; set; } = 4;

        /// <summary>Attempts per request, the first included.</summary>
        public int MaxAttempts { get; set; } = 6;

        /// <summary>First retry delay; doubles per attempt (each wait drawn between half and all of it), up to <see cref="MaxRetryDelay"/>.</summary>
        public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>The longest wait between attempts (a longer Retry-After is still honoured).</summary>
        public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary>Calls this run may make (the tenant allows 2,000 a day with P1/P2, 6,000 with Governance).</summary>
        public int CallBudget { get; set; } = 2000;

        /// <summary>Told the running count of calls just before each call goes out (from the sending threads), so a state can journal it.</summary>
        public Action<int>? CallStarting { get; set; }

        /// <summary>Calls made in the 24 hours before this run (journal or state), for messages: the budget already leaves them out.</summary>
        public int CallsBefore { get; set; }

        /// <summary>
        /// The longest Retry-After a 429 may ask for before the run stops instead of waiting: throttling asks for
        /// seconds, an exhausted daily quota for an hour or more.
        /// </summary>
        public TimeSpan LongestWait { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary>
        /// With -Resume, only journaled acceptances from this moment on stand for a request of the same content. A run
        /// with a state sets it to when the state was last saved: an older acceptance of the same content is a retry
        /// or a re-send the state asked for, not a request an interrupted run already delivered.
        /// </summary>
        public DateTimeOffset? ResumeAcceptedSince { get; set; }

        /// <summary>Seeds the retry jitter (tests); null for a random seed.</summary>
        public int? JitterSeed { get; set; }
    }
}
