using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Graph;
using EntraInboundProvisioning.Logs;
using EntraInboundProvisioning.PowerShell.Logs;
using EntraInboundProvisioning.PowerShell.Session;
using EntraInboundProvisioning.Sending;
using EntraInboundProvisioning.State;

namespace EntraInboundProvisioning.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Gets the provisioning cycles of an API-driven job with their statistics, or what happened to each record.</para>
    /// </summary>
    /// <remarks>
    /// Reads page by page (paced under Graph's reports limit and retried by the session's reader): each page's entries are
    /// written and learned into the state before the next page is read, so memory holds one page, whatever the log's size.
    /// </remarks>
    // Over 350 lines for its parameters (15, each with its help), their checks and three answers (cycles, records, a
    // wait): the reading is Core's RecentCycles and OutcomeWait, the learning its OutcomeLearner.
    [Cmdlet(VerbsCommon.Get, "ProvisioningCycleLog", DefaultParameterSetName = CyclesSet)]
    [OutputType(typeof(ProvisioningCycle), ParameterSetName = new[] { CyclesSet })]
    [OutputType(typeof(ProvisioningLogEntry))]
    public sealed class GetProvisioningCycleLogCommand : ProvisioningCmdlet
    {
        private const string CyclesSet = "Cycles";
        private const string WaitSet = "Wait";
        private const string Permission = "AuditLog.Read.All";

        private readonly List<KeyValuePair<string, DateTimeOffset>> _waitFor = new List<KeyValuePair<string, DateTimeOffset>>();

        // Null until given: a filter the user did not ask for is not applied.
        private ProvisioningStatus? _status;
        private ProvisioningAction? _action;
        private RunState? _state;
        private OutcomeLearner? _learner;
        private bool _stopped;

        /// <summary><para type="description">The provisioning app's service principal (object id or application id); its API-driven job's logs are read.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ServicePrincipalIdCompleter))]
        public string? ServicePrincipalId { get; set; }

        /// <summary><para type="description">The job whose logs to read (needed without -ServicePrincipalId, or when the app has several jobs).</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(JobIdCompleter))]
        public string? JobId { get; set; }

        /// <summary><para type="description">How many of the most recent cycles to return (default 1).</para></summary>
        [Parameter(ParameterSetName = CyclesSet)]
        [ValidateRange(1, 1000)]
        public int NumberOfCycles { get; set; } = 1;

        /// <summary><para type="description">Only this cycle.</para></summary>
        [Parameter(ParameterSetName = CyclesSet)]
        [ValidateNotNullOrEmpty]
        public string? CycleId { get; set; }

        /// <summary><para type="description">Only entries at or after this time (with -Wait: where to start looking; default one hour ago).</para></summary>
        [Parameter]
        public DateTimeOffset? Since { get; set; }

        /// <summary><para type="description">Only entries at or before this time.</para></summary>
        [Parameter(ParameterSetName = CyclesSet)]
        public DateTimeOffset? Until { get; set; }

        /// <summary><para type="description">Only records with this status: Success, Failure, Skipped or Warning. Returns records, not cycles.</para></summary>
        [Parameter(ParameterSetName = CyclesSet)]
        public ProvisioningStatus Status
        {
            get => _status ?? ProvisioningStatus.Success;
            set => _status = value;
        }

        /// <summary><para type="description">Only records with this action: Create, Update, Delete, Disable, StagedDelete or Other. Returns records, not cycles.</para></summary>
        [Parameter(ParameterSetName = CyclesSet)]
        public ProvisioningAction Action
        {
            get => _action ?? ProvisioningAction.Other;
            set => _action = value;
        }

        /// <summary><para type="description">Only these records (externalIds), filtered on the server. With -Wait, the records to wait for; Send-ScimBulkRequest results bind here by their ExternalIds.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("ExternalIds")]
        [ValidateNotNullOrEmpty]
        public string[]? ExternalId { get; set; }

        /// <summary><para type="description">Returns one object per record change instead of one per cycle.</para></summary>
        [Parameter(ParameterSetName = CyclesSet)]
        public SwitchParameter Detail { get; set; }

        /// <summary><para type="description">Keeps each record's entry as Graph returned it, in RawJson (left empty otherwise: it is most of an entry's size).</para></summary>
        [Parameter]
        public SwitchParameter Raw { get; set; }

        /// <summary><para type="description">Waits until the logs show an outcome for every record given (by -ExternalId, the pipeline, -JournalPath, or the state's records awaiting one), or -Timeout passes.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = WaitSet)]
        public SwitchParameter Wait { get; set; }

        /// <summary><para type="description">With -Wait: when the records were accepted (Send-ScimBulkRequest results bind here); log entries older than that, less a minute for clocks, are not their outcome.</para></summary>
        [Parameter(ParameterSetName = WaitSet, ValueFromPipelineByPropertyName = true)]
        public DateTimeOffset? AcceptedAt { get; set; }

        /// <summary><para type="description">A Send-ScimBulkRequest journal whose records -Wait waits for.</para></summary>
        [Parameter(ParameterSetName = WaitSet)]
        [ValidateNotNullOrEmpty]
        public string? JournalPath { get; set; }

        /// <summary><para type="description">How long -Wait waits (default 20 minutes; the logs appear 5 to 10 minutes after an upload).</para></summary>
        [Parameter(ParameterSetName = WaitSet)]
        public TimeSpan Timeout { get; set; } = TimeSpan.FromMinutes(20);

        /// <summary><para type="description">How long -Wait waits between reads of what is new (default 30 seconds).</para></summary>
        [Parameter(ParameterSetName = WaitSet)]
        public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary><para type="description">The run state file of the job: records that failed in their cycle (or whose manager could not be set) are marked to be sent again on the next run, even if unchanged; successes clear that mark. With -Wait and no records given, waits for the records the state holds as accepted and awaiting an outcome.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? StatePath { get; set; }

        /// <inheritdoc />
        protected override void BeginProcessing()
        {
            ValidateTimes();
            if (ServicePrincipalId is null && JobId is null && !MyInvocation.ExpectingInput)
            {
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException("Give -ServicePrincipalId (or -JobId) of the provisioning app."), "NoTarget", ErrorCategory.InvalidArgument, null));
            }
        }

        /// <summary>Times that cannot mean anything are refused before a read, naming the parameter.</summary>
        private void ValidateTimes()
        {
            void Refuse(string message, string parameter) => ThrowTerminatingError(new ErrorRecord(new PSArgumentException(message, parameter), "InvalidTimeRange", ErrorCategory.InvalidArgument, parameter));
            var earliest = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
            var latest = new DateTimeOffset(9000, 1, 1, 0, 0, 0, TimeSpan.Zero);
            if (Since is DateTimeOffset since && (since < earliest || since > latest))
            {
                Refuse($"-Since {since:u} is not a time the provisioning logs can hold.", nameof(Since));
            }

            if (Until is DateTimeOffset until && (until < earliest || until > latest))
            {
                Refuse($"-Until {until:u} is not a time the provisioning logs can hold.", nameof(Until));
            }

            if (Since is DateTimeOffset from && Until is DateTimeOffset to && from > to)
            {
                Refuse($"-Since {from:u} is after -Until {to:u}: no entry can be in that range.", nameof(Until));
            }

            if (ParameterSetName == WaitSet && (PollInterval < TimeSpan.FromSeconds(1) || PollInterval > TimeSpan.FromHours(1)))
            {
                Refuse($"-PollInterval {PollInterval} is outside 1 second to 1 hour.", nameof(PollInterval));
            }

            if (ParameterSetName == WaitSet && Timeout < TimeSpan.Zero)
            {
                Refuse($"-Timeout {Timeout} is negative.", nameof(Timeout));
            }
        }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (ParameterSetName == WaitSet)
            {
                if (ExternalId is not null)
                {
                    // The watch allows for the service's clock differing from this machine's.
                    DateTimeOffset earliest = AcceptedAt ?? DateTimeOffset.MinValue;
                    _waitFor.AddRange(ExternalId.Select(id => new KeyValuePair<string, DateTimeOffset>(id, earliest)));
                }

                return;
            }

            ReadCycles();
        }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            if (ParameterSetName == WaitSet)
            {
                WaitForOutcomes();
                return;
            }

            SaveState();
        }

        /// <inheritdoc />
        protected override void OnStopping() => _stopped = true;

        /// <inheritdoc />
        protected override void Dispose(bool disposing)
        {
            if (disposing && _state is not null)
            {
                if (_stopped && _learner is { Learned: > 0 })
                {
                    // Ctrl+C: the outcomes read so far are facts; keep them.
                    try
                    {
                        _state.Commit();
                    }
                    catch (IOException)
                    {
                        // Stopping: the state stays as it was on disk.
                    }
                }

                _state.Dispose();
            }

            base.Dispose(disposing);
        }

        /// <summary>The state's learner, opening the state on first use (-StatePath), or null.</summary>
        private OutcomeLearner? Learner(string jobId)
        {
            if (StatePath is null)
            {
                return null;
            }

            if (_learner is null)
            {
                string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(StatePath);
                if (!File.Exists(path) && !File.Exists(StateFiles.Journal(path)))
                {
                    // Reading the logs never creates a state: a misspelt path would otherwise learn into a new, empty one.
                    ThrowTerminatingError(new ErrorRecord(new ItemNotFoundException($"There is no state file '{path}': the first run of ConvertTo-ScimBulkRequest | Send-ScimBulkRequest with -StatePath creates it."), "StateNotFound", ErrorCategory.ObjectNotFound, path));
                }

                _state = StateSessions.Open(this, path);
                if (_state.JobId is string bound && !string.Equals(bound, jobId, StringComparison.OrdinalIgnoreCase))
                {
                    // Another job's outcomes would clear this state's failures (or mark its workers) by externalId.
                    ThrowTerminatingError(new ErrorRecord(new InvalidOperationException($"The state '{path}' belongs to job {bound}; these logs are of job {jobId}. Use one state file per job."), "StateBelongsToAnotherJob", ErrorCategory.InvalidArgument, path));
                }

                _learner = new OutcomeLearner(_state);
            }

            return _learner;
        }

        private void SaveState()
        {
            if (_state is null || _learner is null)
            {
                return;
            }

            _state.Commit();
            WriteVerbose(FormattableString.Invariant($"State '{_state.Path}': learned {_learner.Learned:N0} outcome(s), {_learner.Changed:N0} of which changed what the state holds; {_state.PendingRetries:N0} record(s) will be sent again on the next run."));
        }

        /// <summary>The job whose logs to read: -JobId alone, or the API-driven job of -ServicePrincipalId.</summary>
        private string TargetJob() => ServicePrincipalId is null ? JobId! : ResolveJob(ServicePrincipalId, JobId).Job.Id;

        private ProvisioningLogReader NewReader()
        {
            var reader = new ProvisioningLogReader(Api, Raw.IsPresent);
            reader.Tally.Retrying = (ex, delay) => Pump.Verbose(FormattableString.Invariant($"Reading the provisioning logs: {ex.Message} Trying again in {delay.TotalSeconds:0.#} s."));
            return reader;
        }

        private void ReadCycles()
        {
            string jobId = TargetJob();
            OutcomeLearner? learner = Learner(jobId);
            ProvisioningLogReader reader = NewReader();
            bool records = Detail.IsPresent || _status is not null || _action is not null || ExternalId is not null;
            var query = new ProvisioningLogQuery
            {
                JobId = jobId,
                CycleId = CycleId,
                Since = Since,
                Until = Until,
                Status = _status,
                Action = _action,
                ExternalIds = ExternalId?.Where(id => id.Length > 0).Distinct(StringComparer.Ordinal).ToArray() ?? Array.Empty<string>(),
            };
            var read = new RecentCycles(reader, query, CycleId is null ? NumberOfCycles : 1);
            var report = new LogReadReport(this, reader, "Reading provisioning logs");
            int cycles = 0;
            long written = 0;
            try
            {
                while (Next(ct => read.NextAsync(ct), reader, report, jobId) is RecentCyclesStep step)
                {
                    foreach (ProvisioningLogEntry entry in step.Entries)
                    {
                        learner?.Learn(entry);
                    }

                    if (records)
                    {
                        // Record-level filters ask about records, so records come back (the re-send loop pipes their ExternalId).
                        WriteObject(step.Entries, enumerateCollection: true);
                        written += step.Entries.Count;
                    }
                    else
                    {
                        WriteObject(step.Cycles, enumerateCollection: true);
                    }

                    cycles += step.Cycles.Count;
                    report.Page(operation: read.Groups > 1 ? $"{read.Groups} groups of records" : null);
                }
            }
            finally
            {
                report.Complete();
            }

            string what = records ? $"{written:N0} record change(s) in {cycles} cycle(s)" : $"{cycles} cycle(s)";
            WriteVerbose(FormattableString.Invariant($"Read {report.Summary()} of provisioning logs for job {jobId}{(read.Groups > 1 ? $", as {read.Groups} groups of records" : string.Empty)}: {what}."));
        }

        private void WaitForOutcomes()
        {
            if (JournalPath is not null)
            {
                string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(JournalPath);
                try
                {
                    _waitFor.AddRange(UploadJournal.ReadExternalIds(path).Select(id => new KeyValuePair<string, DateTimeOffset>(id, DateTimeOffset.MinValue)));
                }
                catch (IOException ex)
                {
                    ThrowTerminatingError(new ErrorRecord(ex, "JournalUnreadable", ErrorCategory.ReadError, path));
                }
            }

            string jobId = TargetJob();
            DateTimeOffset since = Since ?? DateTimeOffset.UtcNow.AddHours(-1);
            OutcomeLearner? learner = Learner(jobId);
            IEnumerable<KeyValuePair<string, DateTimeOffset>> records = _waitFor;
            bool fromState = _waitFor.Count == 0 && learner is not null;
            if (fromState)
            {
                // The state knows what it accepted and still awaits, and from when (see OutcomeLearner.Awaited).
                (records, since) = learner!.Awaited(Since, DateTimeOffset.UtcNow);
            }

            ProvisioningLogReader reader = NewReader();
            var wait = new OutcomeWait(reader, new OutcomeWatch(jobId, records, since) { ServerClockOffset = reader.ServerClockOffset }, PollInterval, Timeout);
            OutcomeWatch watch = wait.Watch;
            if (watch.Wanted == 0)
            {
                if (fromState)
                {
                    WriteVerbose($"The state '{_state!.Path}' holds no record accepted since {since:u} that awaits an outcome: nothing to wait for.");
                    SaveState();
                    return;
                }

                ThrowTerminatingError(new ErrorRecord(new PSArgumentException("-Wait needs records to wait for: -ExternalId, Send-ScimBulkRequest results on the pipeline, -JournalPath, or -StatePath (the records the state holds as awaiting an outcome)."), "NothingToWaitFor", ErrorCategory.InvalidArgument, null));
            }

            var report = new LogReadReport(this, reader, $"Waiting for the outcomes of {watch.Wanted:N0} record(s) in the provisioning logs");
            try
            {
                report.Page(watch.Found, watch.Wanted, $"Reading what is new since {since:u}");
                while (Next(ct => wait.NextAsync(ct), reader, report, jobId) is OutcomeWaitStep step)
                {
                    foreach (ProvisioningLogEntry entry in step.Outcomes)
                    {
                        learner?.Learn(entry);
                        WriteObject(entry);
                    }

                    report.Page(watch.Found, watch.Wanted, step.NextReadIn is TimeSpan pause ? $"Next read in {pause.TotalSeconds:0} s" : $"Read {wait.Polls:N0} time(s)");
                }
            }
            finally
            {
                report.Complete();
            }

            string source = fromState ? "the state holds as awaiting an outcome" : "given";
            WriteVerbose(FormattableString.Invariant($"Read {report.Summary()} of provisioning logs for job {jobId} in {wait.Polls} read(s) of what was new: {watch.Found:N0} of {watch.Wanted:N0} record(s) {source} have an outcome."));
            SaveState();
            IReadOnlyList<string> missing = watch.Missing;
            if (missing.Count > 0)
            {
                string names = string.Join(", ", missing.Take(20)) + (missing.Count > 20 ? $" and {missing.Count - 20} more" : string.Empty);
                WriteError(new ErrorRecord(
                    new TimeoutException($"After {Timeout} ({wait.Polls} read(s) of the logs), {missing.Count} of {watch.Wanted} record(s) have no outcome yet: {names}."),
                    "OutcomesMissing",
                    ErrorCategory.OperationTimeout,
                    missing));
            }
        }

        /// <summary>
        /// Reads the next page (or step). A read that fails once its retries are spent ends the command with an error that
        /// says how far the read got; with -StatePath, what the pages read so far taught the state is saved first.
        /// </summary>
        private T Next<T>(Func<CancellationToken, Task<T>> read, ProvisioningLogReader reader, LogReadReport report, string jobId)
        {
            try
            {
                return Pump.Run(this, read, Cancellation);
            }
            catch (GraphException ex)
            {
                string kept = string.Empty;
                if (_state is not null && _learner is not null)
                {
                    _state.Commit();
                    kept = FormattableString.Invariant($" The state '{_state.Path}' kept what the pages read taught it: {_learner.Learned:N0} outcome(s).");
                }

                string message = FormattableString.Invariant($"Reading the provisioning logs of job {jobId} stopped after {report.Summary()}: {ex.Message}{kept}");
                bool forbidden = ex.Status == HttpStatusCode.Forbidden;
                Exception reported = forbidden
                    ? new UnauthorizedAccessException($"{message} The signed-in identity needs the Microsoft Graph permission {Permission} (an application permission for unattended runs); grant it and connect again.", ex)
                    : new GraphException(message, ex.Status, ex.Code, ex.RequestId, ex.ClientRequestId, ex.RetryAfter, ex);
                ThrowTerminatingError(new ErrorRecord(reported, forbidden ? "PermissionDenied" : "GetProvisioningLogsFailed", GraphErrors.Category(ex), jobId));
                throw; // not reached
            }
        }
    }
}
