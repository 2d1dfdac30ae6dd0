using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using EntraInboundProvisioning.Graph;
using EntraInboundProvisioning.Logs;
using EntraInboundProvisioning.PowerShell.Session;
using EntraInboundProvisioning.Sending;

namespace EntraInboundProvisioning.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Gets the provisioning cycles of an API-driven job with their statistics, or what happened to each record.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ProvisioningCycleLog", DefaultParameterSetName = CyclesSet)]
    [OutputType(typeof(ProvisioningCycle), ParameterSetName = new[] { CyclesSet })]
    [OutputType(typeof(ProvisioningLogEntry))]
    public sealed class GetProvisioningCycleLogCommand : ProvisioningCmdlet
    {
        private const string CyclesSet = "Cycles";
        private const string WaitSet = "Wait";
        private const int ProgressId = 3;

        private readonly List<string> _waitFor = new List<string>();
        private readonly Dictionary<string, DateTimeOffset> _notBefore = new Dictionary<string, DateTimeOffset>(StringComparer.OrdinalIgnoreCase);

        // Null until given: a filter the user did not ask for is not applied.
        private ProvisioningStatus? _status;
        private ProvisioningAction? _action;

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

        /// <summary><para type="description">Only these records (externalIds). With -Wait, the records to wait for; Send-ScimBulkRequest results bind here by their ExternalIds.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [Alias("ExternalIds")]
        [ValidateNotNull]
        public string[]? ExternalId { get; set; }

        /// <summary><para type="description">Returns one object per record change instead of one per cycle.</para></summary>
        [Parameter(ParameterSetName = CyclesSet)]
        public SwitchParameter Detail { get; set; }

        /// <summary><para type="description">Waits until the logs show an outcome for every record given (by -ExternalId, the pipeline or -JournalPath), or -Timeout passes.</para></summary>
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

        /// <summary><para type="description">How often -Wait reads the logs (default 30 seconds).</para></summary>
        [Parameter(ParameterSetName = WaitSet)]
        public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

        /// <summary><para type="description">The run state file of the job: records that failed in their cycle (or whose manager could not be set) are marked to be sent again on the next run, even if unchanged; successes clear that mark.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? StatePath { get; set; }

        /// <inheritdoc />
        protected override void BeginProcessing()
        {
            if (ServicePrincipalId is null && JobId is null && !MyInvocation.ExpectingInput)
            {
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException("Give -ServicePrincipalId (or -JobId) of the provisioning app."), "NoTarget", ErrorCategory.InvalidArgument, null));
            }
        }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (ParameterSetName == WaitSet)
            {
                if (ExternalId is not null)
                {
                    _waitFor.AddRange(ExternalId);
                    if (AcceptedAt is DateTimeOffset accepted)
                    {
                        // The service's clock may differ a little from this machine's.
                        foreach (string id in ExternalId)
                        {
                            _notBefore[id] = accepted.AddMinutes(-1);
                        }
                    }
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
        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _state?.Dispose();
            }

            base.Dispose(disposing);
        }

        private EntraInboundProvisioning.State.RunState? _state;
        private readonly List<ProvisioningLogEntry> _seen = new List<ProvisioningLogEntry>();
        private int _learned;

        /// <summary>Feeds record outcomes to the state (-StatePath), so failures are sent again on the next run.</summary>
        private void Learn(IEnumerable<ProvisioningLogEntry> entries)
        {
            if (StatePath is null)
            {
                return;
            }

            _state ??= StateSessions.Open(this, SessionState.Path.GetUnresolvedProviderPathFromPSPath(StatePath));
            foreach (ProvisioningLogEntry entry in entries.OrderBy(e => e.ActivityDateTime))
            {
                _learned += _state.RecordOutcome(entry) ? 1 : 0;
            }
        }

        private void SaveState()
        {
            Learn(_seen);
            if (_state is null)
            {
                return;
            }

            _state.Commit();
            WriteVerbose($"State '{_state.Path}': {_learned} record(s) changed their retry mark; {_state.PendingRetries} will be sent again on the next run.");
        }

        /// <summary>The job whose logs to read: -JobId alone, or the API-driven job of -ServicePrincipalId.</summary>
        private string TargetJob() => ServicePrincipalId is null ? JobId! : ResolveJob(ServicePrincipalId, JobId).Job.Id;

        private void ReadCycles()
        {
            string jobId = TargetJob();
            var reader = new ProvisioningLogReader(Api.GetLogPageAsync);
            bool recordFilter = _status is not null || _action is not null || ExternalId is not null;
            var query = new ProvisioningLogQuery
            {
                JobId = jobId,
                CycleId = CycleId,
                Since = Since,
                Until = Until,
                Status = _status,
                Action = _action,
                ExternalId = ExternalId is { Length: 1 } ? ExternalId[0] : null,
            };
            IReadOnlyList<ProvisioningCycle> cycles = RunGraph(ct => reader.RecentCyclesAsync(query, CycleId is null ? NumberOfCycles : 1, ct), "GetProvisioningLogsFailed", jobId, "AuditLog.Read.All");
            WriteVerbose($"Read {reader.PagesRead} page(s) of provisioning logs for job {jobId}: {cycles.Count} cycle(s).");
            var only = ExternalId is { Length: > 1 } ? new HashSet<string>(ExternalId, StringComparer.OrdinalIgnoreCase) : null;
            foreach (ProvisioningCycle cycle in cycles)
            {
                _seen.AddRange(cycle.Entries);
                if (Detail.IsPresent || recordFilter)
                {
                    // Record-level filters ask about records, so records come back (the re-send loop pipes their ExternalId).
                    WriteObject(cycle.Entries.Where(e => only is null || only.Contains(e.ExternalId)), enumerateCollection: true);
                }
                else
                {
                    WriteObject(cycle);
                }
            }
        }

        private void WaitForOutcomes()
        {
            if (JournalPath is not null)
            {
                string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(JournalPath);
                try
                {
                    _waitFor.AddRange(UploadJournal.ReadExternalIds(path));
                }
                catch (IOException ex)
                {
                    ThrowTerminatingError(new ErrorRecord(ex, "JournalUnreadable", ErrorCategory.ReadError, path));
                }
            }

            List<string> wanted = _waitFor.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (wanted.Count == 0)
            {
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException("-Wait needs records to wait for: -ExternalId, Send-ScimBulkRequest results on the pipeline, or -JournalPath."), "NothingToWaitFor", ErrorCategory.InvalidArgument, null));
            }

            string jobId = TargetJob();
            var reader = new ProvisioningLogReader(Api.GetLogPageAsync);
            var progress = new Progress<(int Found, int Wanted)>(p => Pump.Verbose($"{p.Found} of {p.Wanted} record(s) have an outcome in the logs."));
            DateTimeOffset since = Since ?? DateTimeOffset.UtcNow.AddHours(-1);
            WriteProgress(new ProgressRecord(ProgressId, "Waiting for provisioning logs", $"{wanted.Count} record(s), up to {Timeout}"));
            LogWaitResult result = RunGraph(ct => reader.WaitForOutcomesAsync(jobId, wanted, since, PollInterval, Timeout, progress, ct, _notBefore), "GetProvisioningLogsFailed", jobId, "AuditLog.Read.All");
            WriteProgress(new ProgressRecord(ProgressId, "Waiting for provisioning logs", "Done") { RecordType = ProgressRecordType.Completed });
            _seen.AddRange(result.Outcomes);
            SaveState();
            WriteObject(result.Outcomes, enumerateCollection: true);
            if (result.Missing.Count > 0)
            {
                string names = string.Join(", ", result.Missing.Take(20)) + (result.Missing.Count > 20 ? $" and {result.Missing.Count - 20} more" : string.Empty);
                WriteError(new ErrorRecord(
                    new TimeoutException($"After {Timeout} ({result.Polls} read(s) of the logs), {result.Missing.Count} of {wanted.Count} record(s) have no outcome yet: {names}."),
                    "OutcomesMissing",
                    ErrorCategory.OperationTimeout,
                    result.Missing));
            }
        }
    }
}
