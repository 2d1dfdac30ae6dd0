using System;
using System.Collections.Generic;
using EntraInboundProvisioning.Logs;

namespace EntraInboundProvisioning.Reports
{
    /// <summary>
    /// What a report keeps of provisioning log entries as they stream past: the count of each status, and for each
    /// worker the outcome of its latest entry, as a short line (a failure's code and reason), never the entry itself.
    /// A day of 100,000 entries costs a few megabytes, whatever the entries carry.
    /// </summary>
    public sealed class LogDigest
    {
        private readonly Dictionary<string, long> _statuses = new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, (DateTimeOffset At, ReportWorker? Failure)> _latest = new Dictionary<string, (DateTimeOffset, ReportWorker?)>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Entries taken.</summary>
        public long Entries { get; private set; }

        /// <summary>Entries by status (success, failure, skipped, warning).</summary>
        public IReadOnlyDictionary<string, long> Statuses => _statuses;

        /// <summary>Takes an entry: counted, and, for its worker, kept when it is the latest so far.</summary>
        public void Add(ProvisioningLogEntry entry)
        {
            Entries++;
            string status = entry.Status.Length == 0 ? "unknown" : entry.Status;
            _statuses[status] = _statuses.TryGetValue(status, out long n) ? n + 1 : 1;
            if (entry.ExternalId.Length == 0 || (_latest.TryGetValue(entry.ExternalId, out var seen) && seen.At > entry.ActivityDateTime))
            {
                return;
            }

            ReportWorker? failure = null;
            if (string.Equals(entry.Status, "failure", StringComparison.OrdinalIgnoreCase))
            {
                string code = string.IsNullOrEmpty(entry.ErrorCode) ? "Failure" : entry.ErrorCode!;
                failure = new ReportWorker(entry.ExternalId, entry.TargetDisplayName ?? entry.DisplayName ?? string.Empty, entry.ActivityDateTime, string.IsNullOrEmpty(entry.Reason) ? code : $"{code}: {entry.Reason}", active: true);
            }

            _latest[entry.ExternalId] = (entry.ActivityDateTime, failure);
        }

        /// <summary>Workers whose latest entry is a failure.</summary>
        internal IEnumerable<ReportWorker> Failures()
        {
            foreach (KeyValuePair<string, (DateTimeOffset At, ReportWorker? Failure)> worker in _latest)
            {
                if (worker.Value.Failure is ReportWorker failure)
                {
                    yield return failure;
                }
            }
        }

        /// <summary>
        /// True when the log's latest entry for the worker is not a failure and was written after the worker's last
        /// acceptance (<paramref name="acceptedAt"/>, Unix seconds): a success of an older upload says nothing of the
        /// upload that failed. The second of slack is the one <see cref="State.RunState.RecordOutcome(string, bool, DateTimeOffset, string?)"/>
        /// allows, so the report and the state take the same entries as outcomes of the last upload.
        /// </summary>
        internal bool Settled(string externalId, long acceptedAt)
            => _latest.TryGetValue(externalId, out var latest) && latest.Failure is null && !Older(latest.At, acceptedAt);

        /// <summary>True when an entry logged at <paramref name="at"/> is of an upload before the one accepted at <paramref name="acceptedAt"/> (Unix seconds).</summary>
        internal static bool Older(DateTimeOffset at, long acceptedAt) => at.ToUnixTimeSeconds() + 1 < acceptedAt;
    }
}
