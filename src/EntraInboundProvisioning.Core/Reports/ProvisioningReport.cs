using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using EntraInboundProvisioning.State;

namespace EntraInboundProvisioning.Reports
{
    /// <summary>
    /// What a run report says, read from a run state (its history, the workers whose cycle failed, the leavers of the
    /// last run) and, when given, the provisioning log entries of the last run. Built once, then written as a page
    /// (<see cref="ReportPage"/>) or a short text (<see cref="ReportSummary"/>). Holds only what the page shows: a
    /// state of a million workers gives a report of a few thousand lines at most.
    /// </summary>
    public sealed class ProvisioningReport
    {
        /// <summary>Workers listed per failure group and leavers listed, at most; the counts are always whole.</summary>
        public const int ListLimit = 100;

        /// <summary>The latest runs the per-run charts draw, at most (the quota chart draws the last 90 days).</summary>
        public const int ChartRuns = 400;

        /// <summary>How many earlier runs the last run is compared with.</summary>
        public const int Baseline = 30;

        private ProvisioningReport(ProvisioningStateInfo state, DateTimeOffset generatedAt)
        {
            State = state;
            GeneratedAt = generatedAt;
        }

        /// <summary>The state's summary (job, workers, pending work).</summary>
        public ProvisioningStateInfo State { get; }

        /// <summary>When the report was made.</summary>
        public DateTimeOffset GeneratedAt { get; }

        /// <summary>A title for the page (the job's name, by default the state file's).</summary>
        public string Title { get; set; } = string.Empty;

        /// <summary>The runs on record, oldest first.</summary>
        public IReadOnlyList<RunRecord> History => State.History;

        /// <summary>The last run, or null for a state no run has saved.</summary>
        public RunRecord? LastRun => State.LastRun;

        /// <summary>The last run's figures, each against the median of the runs before it.</summary>
        public IReadOnlyList<Headline> Headlines { get; private set; } = Array.Empty<Headline>();

        /// <summary>Workers whose last provisioning cycle failed, grouped by error code, largest group first.</summary>
        public IReadOnlyList<FailureGroup> Failures { get; private set; } = Array.Empty<FailureGroup>();

        /// <summary>Workers whose last cycle failed, all groups together.</summary>
        public long FailedWorkers => Failures.Sum(f => f.Count);

        /// <summary>Workers the last run disabled (their disable was accepted in it), at most <see cref="ListLimit"/>.</summary>
        public IReadOnlyList<ReportWorker> Leavers { get; private set; } = Array.Empty<ReportWorker>();

        /// <summary>All workers the last run disabled.</summary>
        public long LeaverCount { get; private set; }

        /// <summary>The leaver threshold the last run used ('5%', '500'), or null.</summary>
        public string? LeaverThreshold { get; private set; }

        /// <summary>How many leavers the threshold allows on the state's active workers, or null.</summary>
        public int? LeaversAllowed { get; private set; }

        /// <summary>Calls to bulkUpload per UTC day, over the history (days without a run left out).</summary>
        public IReadOnlyList<DayOfCalls> Quota { get; private set; } = Array.Empty<DayOfCalls>();

        /// <summary>The daily request limit the runs used (2,000 unless a send said otherwise).</summary>
        public int DailyRequestLimit { get; private set; } = 2000;

        /// <summary>Provisioning log entries given to the report (0 when none were).</summary>
        public long LogEntries { get; private set; }

        /// <summary>Of those, entries by status (success, failure, skipped, warning).</summary>
        public IReadOnlyDictionary<string, long> LogStatuses { get; private set; } = new Dictionary<string, long>();

        /// <summary>
        /// Reads the state at <paramref name="statePath"/> (without taking it) and, when given, what the provisioning logs
        /// of the last run said: their failures join the state's, and their statuses are counted.
        /// </summary>
        /// <exception cref="System.IO.FileNotFoundException">There is no state file yet.</exception>
        /// <exception cref="System.IO.InvalidDataException">The file is not a state file or is damaged.</exception>
        public static ProvisioningReport Read(string statePath, LogDigest? logs = null, DateTimeOffset? now = null)
        {
            ProvisioningStateReader.Snapshot snapshot = ProvisioningStateReader.Load(statePath, indexed: false);
            var report = new ProvisioningReport(snapshot.State, now ?? DateTimeOffset.UtcNow)
            {
                Title = System.IO.Path.GetFileNameWithoutExtension(statePath),
            };
            report.Build(snapshot, logs);
            return report;
        }

        /// <summary>The plain-language cause and fix of an error code the provisioning logs often show, or null.</summary>
        public static (string Cause, string Fix)? Explain(string code)
        {
            if (code.IndexOf("InvalidUserPrincipalName", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return ("The userName is not a valid user principal name in this tenant: a space or a character a UPN cannot hold, or a domain the tenant has not verified.", "Correct the UPN in the HR system (alias@verified-domain); the next run sends the record again.");
            }

            if (code.IndexOf("DateTime", StringComparison.OrdinalIgnoreCase) >= 0 || code.IndexOf("DateFormat", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return ("A date attribute (such as employeeHireDate) was not sent as ISO 8601 with a time and an offset, so the whole record was refused.", "Name the attribute with ConvertTo-ScimBulkRequest -DateAttribute (and -DateFormat for day-first dates), or give -ServicePrincipalId so the job schema says which attributes are dates.");
            }

            if (code.IndexOf("UnableToResolveReference", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return ("The manager reference could not be set: no account has the manager's externalId (the manager is not in the export, failed to provision, or the reference has a typo).", "Check the manager's row in the HR system. The worker is sent again on the next run, after the manager exists.");
            }

            if (code.IndexOf("Duplicate", StringComparison.OrdinalIgnoreCase) >= 0 || code.IndexOf("Conflict", StringComparison.OrdinalIgnoreCase) >= 0 || code.IndexOf("NotUnique", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                return ("Another account already holds a value that must be unique (usually the userPrincipalName or mail), or two workers map to the same account.", "Find the other account holding the value; fix the HR data or the account, then let the next run send the record again.");
            }

            return null;
        }

        private void Build(ProvisioningStateReader.Snapshot snapshot, LogDigest? logs)
        {
            RunRecord? last = LastRun;
            Headlines = MakeHeadlines();
            DailyRequestLimit = last?.Plan?.DailyRequestLimit ?? snapshot.Header.DailyRequestLimit ?? 2000;
            Quota = History
                .Where(r => r.Calls > 0 || r.Accepted > 0)
                .GroupBy(r => r.StartedAt.UtcDateTime.Date)
                .Select(g => new DayOfCalls(g.Key, g.Sum(r => Math.Max(r.Calls, r.Accepted))))
                .OrderBy(d => d.Day)
                .ToList();

            // One pass over the workers: who failed, and who the last run disabled.
            var groups = new Dictionary<string, FailureGroup>(StringComparer.Ordinal);
            var failed = new Dictionary<string, ReportWorker>(StringComparer.OrdinalIgnoreCase);
            long from = last is null ? long.MaxValue : last.StartedAt.ToUnixTimeSeconds() - 1;
            long to = last is null ? long.MinValue : last.CompletedAt.ToUnixTimeSeconds() + 1;
            var leavers = new List<ReportWorker>();

            // A failure in the logs of a worker the state has accepted again since is of an older upload: left out.
            // (A report's table is not indexed, so the workers are matched by name, and only when the logs hold failures.)
            var logFailures = new Dictionary<string, ReportWorker>(StringComparer.OrdinalIgnoreCase);
            foreach (ReportWorker failure in logs?.Failures() ?? Enumerable.Empty<ReportWorker>())
            {
                logFailures[failure.ExternalId] = failure;
            }

            var staleFailures = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            WorkerStateTable table = snapshot.Table;
            for (int p = 0; p < table.Count; p++)
            {
                ref WorkerStateEntry entry = ref table[p];
                if (logFailures.Count > 0 && logFailures.TryGetValue(table.ExternalId(p), out ReportWorker? logged) && LogDigest.Older(logged.When, entry.AcceptedAt))
                {
                    staleFailures.Add(logged.ExternalId);
                }

                if ((entry.Flags & WorkerStateFlags.Retry) != 0 && !(logs?.Settled(table.ExternalId(p), entry.AcceptedAt) ?? false))
                {
                    // Failed as the state last learned it, unless the logs given show a later success.
                    WorkerStateInfo worker = snapshot.Worker(p);
                    Add(groups, failed, new ReportWorker(worker.ExternalId, worker.UserName ?? string.Empty, worker.AcceptedAt, worker.LastError, worker.Active));
                }

                if ((entry.Flags & WorkerStateFlags.Left) != 0 && entry.AcceptedAt >= from && entry.AcceptedAt <= to)
                {
                    LeaverCount++;
                    if (leavers.Count < ListLimit)
                    {
                        WorkerStateInfo worker = snapshot.Worker(p);
                        bool? confirmed = worker.Retry ? false : worker.AwaitingOutcome ? null : true;
                        leavers.Add(new ReportWorker(worker.ExternalId, worker.UserName ?? string.Empty, worker.AcceptedAt, worker.LastError, active: false, confirmed));
                    }
                }
            }

            if (logs is not null)
            {
                LogEntries = logs.Entries;
                LogStatuses = logs.Statuses;
                foreach (ReportWorker failure in logs.Failures())
                {
                    if (!failed.ContainsKey(failure.ExternalId) && !staleFailures.Contains(failure.ExternalId))
                    {
                        Add(groups, failed, failure);
                    }
                }
            }

            Failures = groups.Values.OrderByDescending(g => g.Count).ThenBy(g => g.Code, StringComparer.Ordinal).ToList();
            Leavers = leavers.OrderBy(l => l.ExternalId, StringComparer.OrdinalIgnoreCase).ToList();
            if (last?.Plan?.LeaverThreshold is string threshold)
            {
                try
                {
                    LeaverThreshold = threshold;
                    LeaversAllowed = new LeaverThreshold(threshold).Allowed(State.ActiveWorkers);
                }
                catch (ArgumentException)
                {
                    LeaversAllowed = null; // a threshold an older version wrote differently: shown as text only
                }
            }
        }

        private static void Add(Dictionary<string, FailureGroup> groups, Dictionary<string, ReportWorker> failed, ReportWorker worker)
        {
            string code = CodeOf(worker.Error);
            if (!groups.TryGetValue(code, out FailureGroup? group))
            {
                group = new FailureGroup(code);
                groups.Add(code, group);
            }

            group.Add(worker);
            failed[worker.ExternalId] = worker;
        }

        /// <summary>"Code: reason" gives Code; a reason without a code is grouped under "Failure".</summary>
        private static string CodeOf(string? error)
        {
            if (string.IsNullOrWhiteSpace(error))
            {
                return "Failure";
            }

            int colon = error!.IndexOf(':');
            string code = (colon > 0 ? error.Substring(0, colon) : error).Trim();
            return code.Length == 0 || code.Length > 80 || code.IndexOf(' ') >= 0 ? "Failure" : code;
        }

        private List<Headline> MakeHeadlines()
        {
            var headlines = new List<Headline>();
            if (LastRun is not RunRecord last || last.Refused is not null)
            {
                return headlines; // a refused run sent nothing: its zeros say nothing against the others
            }

            List<RunRecord> before = History.Take(History.Count - 1).Where(r => r.Refused is null).Reverse().Take(Baseline).ToList();
            void Add(string name, long value, Func<RunRecord, long> of, string? note = null)
                => headlines.Add(new Headline(name, value, before.Count == 0 ? null : Median(before.Select(of)), note));

            Add("Joiners", last.Joiners, r => r.Joiners);
            Add("Movers", last.Movers, r => r.Movers, last.Plan is { MoversFromMappingChange: > 0 } plan ? $"{plan.MoversFromMappingChange.ToString("N0", CultureInfo.InvariantCulture)} from a mapping change" : null);
            Add("Leavers", last.Leavers, r => r.Leavers);
            Add("Retries", last.Retries, r => r.Retries);
            Add("Records accepted", last.AcceptedRecords, r => r.AcceptedRecords, $"{last.Accepted.ToString("N0", CultureInfo.InvariantCulture)} of {last.Requests.ToString("N0", CultureInfo.InvariantCulture)} request(s)");
            Add("Calls to bulkUpload", Math.Max(last.Calls, last.Accepted), r => Math.Max(r.Calls, r.Accepted));
            Add("Records with errors", last.Plan?.RecordsWithErrors ?? 0, r => r.Plan?.RecordsWithErrors ?? 0, "skipped by the conversion");
            Add("Failed in the cycle", last.CycleFailures, r => r.CycleFailures, last.CycleFailures + last.CycleSuccesses == 0 ? "outcomes not learned yet" : $"{last.CycleSuccesses.ToString("N0", CultureInfo.InvariantCulture)} succeeded");
            return headlines;
        }

        private static double Median(IEnumerable<long> values)
        {
            long[] sorted = values.OrderBy(v => v).ToArray();
            int middle = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2.0;
        }
    }
}
