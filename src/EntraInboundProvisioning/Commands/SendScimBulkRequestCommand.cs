using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Management.Automation;
using EntraInboundProvisioning.Graph;
using EntraInboundProvisioning.PowerShell.Conversion;
using EntraInboundProvisioning.PowerShell.Session;
using EntraInboundProvisioning.Scim;
using EntraInboundProvisioning.Sending;

namespace EntraInboundProvisioning.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Sends SCIM bulk requests to the /bulkUpload endpoint of an API-driven provisioning job, paced and retried.</para>
    /// </summary>
    // Over 350 lines for its parameters (18, each with its help) and their translation: the send itself is Core's BulkUploadRun.
    [Cmdlet(VerbsCommunications.Send, "ScimBulkRequest", DefaultParameterSetName = InputObjectSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(BulkUploadResult))]
    public sealed class SendScimBulkRequestCommand : ProvisioningCmdlet
    {
        private const string InputObjectSet = "InputObject";
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const int ProgressId = 2;

        private readonly Stopwatch _progressClock = Stopwatch.StartNew();
        private BulkUploadRun? _run;
        private UploadJournal? _journal;
        private EntraInboundProvisioning.State.RunState? _state;
        private string _servicePrincipalId = string.Empty;
        private string _jobId = string.Empty;
        private bool _whatIf;
        private int _fileIndex;
        private int _requests;
        private long _records;

        /// <summary><para type="description">Bulk requests from ConvertTo-ScimBulkRequest.</para></summary>
        [Parameter(ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
        public BulkRequest[]? InputObject { get; set; }

        /// <summary><para type="description">The plan of ConvertTo-ScimBulkRequest (the ConversionSummary it writes to the pipeline with -WhatIf), taken from the pipeline so a dry run pipes cleanly: a -WhatIf plan is never sent or recorded.</para></summary>
        [Parameter(ValueFromPipeline = true, ParameterSetName = InputObjectSet, DontShow = true)]
        public EntraInboundProvisioning.State.ConversionSummary? Plan { get; set; }

        /// <summary><para type="description">JSON files holding one SCIM bulk request each (wildcards allowed), such as ConvertTo-ScimBulkRequest -OutDirectory writes.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Path { get; set; }

        /// <summary><para type="description">JSON files holding one SCIM bulk request each, taken exactly as written.</para></summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[]? LiteralPath { get; set; }

        /// <summary><para type="description">The provisioning app's service principal (object id or application id); its API-driven job is found.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ServicePrincipalIdCompleter))]
        public string? ServicePrincipalId { get; set; }

        /// <summary><para type="description">The job, when the app has more than one API-driven job.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(JobIdCompleter))]
        public string? JobId { get; set; }

        /// <summary><para type="description">The full bulkUpload URL shown on the app's provisioning page, instead of -ServicePrincipalId and -JobId.</para></summary>
        [Parameter]
        [ValidateNotNull]
        public Uri? Uri { get; set; }

        /// <summary><para type="description">Requests in flight at once (1 to 16; default 4).</para></summary>
        [Parameter]
        [ValidateRange(1, 16)]
        public int MaxConcurrency { get; set; } = 4;

        /// <summary><para type="description">Calls per -PacingWindow to the job (default 40, Graph's limit per 5 seconds).</para></summary>
        [Parameter]
        [ValidateRange(1, 1000)]
        public int PacingLimit { get; set; } = 40;

        /// <summary><para type="description">The pacing window (default 5 seconds).</para></summary>
        [Parameter]
        public TimeSpan PacingWindow { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary><para type="description">Attempts per request, the first included, for throttled, failed (5xx) and dropped calls (default 6).</para></summary>
        [Parameter]
        [ValidateRange(1, 20)]
        public int MaxAttempts { get; set; } = 6;

        /// <summary><para type="description">The tenant's daily bulkUpload call quota (2,000 with P1/P2, 6,000 with Governance). Calls made in the last 24 hours, as -JournalPath or the runs recorded in -StatePath show them, count against it.</para></summary>
        [Parameter]
        [ValidateRange(1, 1000000)]
        public int DailyRequestLimit { get; set; } = 2000;

        /// <summary><para type="description">The longest Retry-After of a throttled (429) call that the run waits for (default 5 minutes). A longer one means the tenant's daily quota is used up: the run stops, reports the rest as NotSent, and the next run sends them.</para></summary>
        [Parameter]
        public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromMinutes(5);

        /// <summary><para type="description">How many runs the state's history keeps from now on, 1 to 10,000 (default 400). Each costs about 0.8 KB of the state file, which every run rewrites. Get-ProvisioningState -History and Export-ProvisioningReport read it.</para></summary>
        [Parameter]
        [ValidateRange(1, 10000)]
        public int HistoryLimit { get; set; }

        /// <summary><para type="description">Appends a line per accepted request to this file, so a stopped run can be resumed and its records checked in the logs.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? JournalPath { get; set; }

        /// <summary><para type="description">Skips requests that -JournalPath shows were already accepted.</para></summary>
        [Parameter]
        public SwitchParameter Resume { get; set; }

        /// <summary><para type="description">The run state file of the job (the one ConvertTo-ScimBulkRequest -StatePath read): every record the service accepts is recorded in it, so the next run sends only what changed.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? StatePath { get; set; }

        /// <summary><para type="description">Pauses the job before uploading and starts it again afterwards, in every case. The job is never restarted (a restart would purge the upload).</para></summary>
        [Parameter]
        public SwitchParameter RestartService { get; set; }

        /// <inheritdoc />
        protected override void BeginProcessing()
        {
            if (MyInvocation.BoundParameters.ContainsKey(nameof(HistoryLimit)) && StatePath is null)
            {
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException("-HistoryLimit sets how many runs a state keeps: it goes with -StatePath."), "HistoryLimitWithoutState", ErrorCategory.InvalidArgument, HistoryLimit));
            }

            if (Resume.IsPresent && JournalPath is null)
            {
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException("-Resume needs -JournalPath: the journal says what was already accepted."), "ResumeWithoutJournal", ErrorCategory.InvalidArgument, null));
            }

            if (Uri is null && ServicePrincipalId is null)
            {
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException("Say where to send: -ServicePrincipalId (and -JobId when the app has several jobs), or -Uri with the bulkUpload URL from the portal."), "NoTarget", ErrorCategory.InvalidArgument, null));
            }

            ResolveTarget();
            _whatIf = IsWhatIf;
            if (StatePath is not null)
            {
                // Opened with -WhatIf too: the conversion in the same pipeline then sees a sender that records into its
                // state, and a state of another job is refused before a real run would be.
                string statePath = SessionState.Path.GetUnresolvedProviderPathFromPSPath(StatePath);
                _state = StateSessions.Open(this, statePath);
                if (_state.JobId is string bound && !string.Equals(bound, _jobId, StringComparison.OrdinalIgnoreCase))
                {
                    ThrowTerminatingError(new ErrorRecord(new InvalidOperationException($"The state '{statePath}' belongs to job {bound} of service principal {_state.ServicePrincipalId}; this run sends to job {_jobId}. Use one state file per job."), "StateBelongsToAnotherJob", ErrorCategory.InvalidArgument, statePath));
                }
            }

            if (_whatIf || !ShouldProcess($"job {_jobId} of service principal {_servicePrincipalId}", "Send SCIM bulk requests"))
            {
                _whatIf = true;
                return;
            }

            if (JournalPath is not null)
            {
                string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(JournalPath);
                _journal = UploadJournal.Open(path, out int unreadable);
                if (unreadable > 0)
                {
                    WriteWarning($"{unreadable} line(s) of the journal '{path}' could not be read (a run was cut off while writing); their requests are sent again.");
                }
            }

            var options = new BulkUploadRunOptions
            {
                MaxConcurrency = MaxConcurrency,
                CallsPerWindow = PacingLimit,
                Window = PacingWindow,
                MaxAttempts = MaxAttempts,
                DailyRequestLimit = DailyRequestLimit,
                Resume = Resume.IsPresent,
                PauseJob = RestartService.IsPresent,
                LongestWait = MaxRetryAfter,
                HistoryLimit = MyInvocation.BoundParameters.ContainsKey(nameof(HistoryLimit)) ? HistoryLimit : null,
            };
            if (RestartService.IsPresent)
            {
                WriteVerbose($"Pausing job {_jobId} for the upload.");
            }

            try
            {
                _run = Pump.Run(this, ct => BulkUploadRun.StartAsync(Api, _servicePrincipalId, _jobId, options, _journal, _state, ct), Cancellation);
            }
            catch (DailyRequestLimitReachedException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "DailyRequestLimitReached", ErrorCategory.LimitsExceeded, JournalPath ?? StatePath));
            }
            catch (GraphException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "PauseJobFailed", GraphErrors.Category(ex), _jobId));
            }
        }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (ParameterSetName == InputObjectSet)
            {
                if (Plan is not null)
                {
                    TakePlan(Plan);
                    Plan = null;
                }

                foreach (BulkRequest request in InputObject ?? Array.Empty<BulkRequest>())
                {
                    Post(request);
                }

                InputObject = null;
                return;
            }

            foreach (string file in InputFiles.Resolve(this, ParameterSetName == PathSet ? Path : LiteralPath, ParameterSetName == LiteralPathSet))
            {
                BulkRequest request;
                try
                {
                    request = BulkRequestReader.Parse(File.ReadAllText(file), ++_fileIndex, file);
                }
                catch (Exception ex) when (ex is FormatException or IOException or UnauthorizedAccessException)
                {
                    WriteError(new ErrorRecord(ex, "InvalidBulkRequestFile", ErrorCategory.InvalidData, file));
                    continue;
                }

                Post(request);
            }
        }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            if (_whatIf)
            {
                ShouldProcess($"job {_jobId} of service principal {_servicePrincipalId} ({Api.Graph.Endpoints.Graph.Host})", $"Send {_requests} SCIM bulk request(s) with {_records} record(s)");
                return;
            }

            foreach (UploadEvent happened in _run!.Finish())
            {
                Tell(happened);
            }

            WriteProgress(new ProgressRecord(ProgressId, "Sending SCIM bulk requests", "Done") { RecordType = ProgressRecordType.Completed });
            WriteVerbose($"{_run.Accepted} of {_run.Requests} request(s) accepted ({_run.AcceptedRecords} record(s)), {_run.NotAccepted} not accepted, {_run.Calls} call(s) made. The provisioning service processes accepted records asynchronously; their logs appear within minutes (Get-ProvisioningCycleLog -Wait).");
        }

        /// <inheritdoc />
        protected override void OnStopping() => _run?.Stop();

        /// <inheritdoc />
        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                // Stopped by an error or Ctrl+C before it finished: the run keeps what the service accepted and starts a
                // paused job again; nothing can be written any more, the journals hold what was recorded.
                _run?.Dispose();
                _state?.Dispose();
                _journal?.Dispose();
            }

            base.Dispose(disposing);
        }

        /// <summary>A plan that came down the pipeline: the conversion's summary (a -WhatIf one is never recorded).</summary>
        private void TakePlan(EntraInboundProvisioning.State.ConversionSummary plan)
        {
            if (_run is null || !_run.TakePlan(plan))
            {
                WriteVerbose(plan.WhatIf ? $"The conversion ran with -WhatIf ({plan}): it converted nothing, so nothing is sent or recorded." : $"Plan: {plan}.");
            }
        }

        private void ResolveTarget()
        {
            if (Uri is not null)
            {
                if (!BulkUploadUrl.TryParse(Uri, out _servicePrincipalId, out _jobId))
                {
                    ThrowTerminatingError(new ErrorRecord(new PSArgumentException($"'{Uri}' is not a bulkUpload URL (…/servicePrincipals/{{id}}/synchronization/jobs/{{jobId}}/bulkUpload)."), "InvalidBulkUploadUri", ErrorCategory.InvalidArgument, Uri));
                }

                if (!BulkUploadUrl.IsOfSession(Uri, Api.Graph.Endpoints))
                {
                    ThrowTerminatingError(new ErrorRecord(new PSArgumentException($"'{Uri.Host}' is not the Graph host of this session ({Api.Graph.Endpoints.Graph.Host}); connect to the right cloud with -Environment."), "BulkUploadUriOtherCloud", ErrorCategory.InvalidArgument, Uri));
                }

                return;
            }

            var (sp, job) = ResolveJob(ServicePrincipalId!, JobId);
            _servicePrincipalId = sp.Id;
            _jobId = job.Id;
            WriteVerbose($"Sending to job {job.Id} ({job.TemplateId}, {job.Status}) of '{sp.DisplayName}' ({sp.Id}).");
            if (job.IsQuarantined)
            {
                WriteWarning($"Job {job.Id} is in quarantine ({job.QuarantineReason}); uploads are accepted but not processed until it leaves quarantine.");
            }
        }

        private void Post(BulkRequest request)
        {
            _requests++;
            _records += request.OperationCount;
            if (_whatIf)
            {
                return;
            }

            while (!_run!.TryPost(request, TimeSpan.FromMilliseconds(100)))
            {
                TellAll();
            }

            TellAll();
        }

        private void TellAll()
        {
            foreach (UploadEvent happened in _run!.Drain())
            {
                Tell(happened);
            }
        }

        /// <summary>Writes what the run tells: a result (and an error for one not accepted), or a message.</summary>
        private void Tell(UploadEvent happened)
        {
            switch (happened.Kind)
            {
                case UploadEventKind.Result:
                    Write(happened.Result!);
                    break;
                case UploadEventKind.StateSaved:
                case UploadEventKind.Waiting:
                    WriteVerbose(happened.Message!);
                    break;
                default:
                    WriteWarning(happened.Message!);
                    break;
            }
        }

        private void Write(BulkUploadResult result)
        {
            WriteObject(result);
            if (result.Status is BulkUploadStatus.Failed or BulkUploadStatus.NotSent)
            {
                string id = result.Status == BulkUploadStatus.Failed ? "BulkUploadFailed" : "BulkUploadNotSent";
                ErrorCategory category = result.HttpStatus switch
                {
                    400 => ErrorCategory.InvalidData,
                    401 => ErrorCategory.AuthenticationError,
                    403 => ErrorCategory.PermissionDenied,
                    429 => ErrorCategory.LimitsExceeded,
                    null => result.Status == BulkUploadStatus.NotSent ? ErrorCategory.OperationStopped : ErrorCategory.ConnectionError,
                    _ => ErrorCategory.NotSpecified,
                };
                WriteError(new ErrorRecord(new InvalidOperationException($"Bulk request {result.Index} ({result.OperationCount} records: {Preview(result.ExternalIds)}): {result.Error}"), id, category, result));
            }

            if (_progressClock.ElapsedMilliseconds >= 250)
            {
                _progressClock.Restart();
                WriteProgress(new ProgressRecord(ProgressId, "Sending SCIM bulk requests", $"{_run!.Accepted} of {_run.Requests} request(s) accepted, {_run.AcceptedRecords:N0} record(s), {_run.NotAccepted} not accepted"));
            }
        }

        private static string Preview(IReadOnlyList<string> ids) => ids.Count <= 3 ? string.Join(", ", ids) : $"{ids[0]}, {ids[1]} … {ids[ids.Count - 1]}";
    }
}
