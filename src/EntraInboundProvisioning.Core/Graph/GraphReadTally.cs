using System;

namespace EntraInboundProvisioning.Graph
{
    /// <summary>
    /// What the reads of one operation cost, counted by <see cref="PacedReader"/> as they happen: calls, retries, and the
    /// time spent waiting for the reports limit and for retries. One operation reads one page at a time, so the counts
    /// are plain fields; <see cref="Retrying"/> lets the caller say what is happening while it waits.
    /// </summary>
    public sealed class GraphReadTally
    {
        /// <summary>Calls made, retries included.</summary>
        public int Calls { get; internal set; }

        /// <summary>Calls that were answered 429, 5xx or dropped and made again.</summary>
        public int Retries { get; internal set; }

        /// <summary>Of those, the calls the service throttled (429).</summary>
        public int Throttled { get; internal set; }

        /// <summary>Time spent waiting for a place under the reports limit (the pace, not the retries).</summary>
        public TimeSpan WaitedForLimit { get; internal set; }

        /// <summary>Time spent waiting before retries (Retry-After or backoff).</summary>
        public TimeSpan WaitedForRetries { get; internal set; }

        /// <summary>Called before each retry's wait with the failure and the wait (from a worker thread).</summary>
        public Action<GraphException, TimeSpan>? Retrying { get; set; }
    }
}
