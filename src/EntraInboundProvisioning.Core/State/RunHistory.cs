using System;
using System.Collections.Generic;

namespace EntraInboundProvisioning.State
{
    /// <summary>What the runs on record (<see cref="StateHeader.History"/>) answer: the quota they used, and which run sent a record.</summary>
    internal static class RunHistory
    {
        /// <summary>
        /// Calls to bulkUpload the runs made in the 24 hours before <paramref name="now"/>: what they took from the tenant's
        /// daily request quota (a run recovered from its journal counts its accepted requests).
        /// </summary>
        public static int CallsInLast24Hours(IEnumerable<RunRecord> runs, DateTimeOffset now)
        {
            int calls = 0;
            foreach (RunRecord run in runs)
            {
                if (run.CompletedAt > now.AddHours(-24))
                {
                    calls += Math.Max(run.Calls, run.Accepted);
                }
            }

            return calls;
        }

        /// <summary>
        /// The run that was sending at <paramref name="acceptedAt"/> (Unix seconds): a run recovered from the journal that
        /// started before it, or the last run on record whose window holds it; null when none does.
        /// </summary>
        public static RunRecord? RunThatSent(List<RunRecord> history, RunRecord? recovered, long acceptedAt)
        {
            if (recovered is not null && recovered.StartedAt.ToUnixTimeSeconds() <= acceptedAt)
            {
                return recovered;
            }

            for (int i = history.Count - 1; i >= 0; i--)
            {
                if (history[i].StartedAt.ToUnixTimeSeconds() <= acceptedAt)
                {
                    return acceptedAt <= history[i].CompletedAt.ToUnixTimeSeconds() + 1 ? history[i] : null;
                }
            }

            return null;
        }
    }
}
