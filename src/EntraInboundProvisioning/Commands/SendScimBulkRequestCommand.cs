using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using System.Threading;
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
    [Cmdlet(VerbsCommunications.Send, "ScimBulkRequest", DefaultParameterSetName = InputObjectSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(BulkUploadResult))]
    public sealed class SendScimBulkRequestCommand : PSCmdlet, IDisposable
    {
        private const string InputObjectSet = "InputObject";
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const int ProgressId = 2;

        // The bulkUpload URL shown in the portal: …/servicePrincipals/{id}/synchronization/jobs/{jobId}/bulkUpload
        private static readonly Regex BulkUploadUrl = new Regex(@"/servicePrincipals/(?<sp>[^/]+)/synchronization/jobs/(?<job>[^/]+)/bulkUpload/?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        private readonly CancellationTokenSource _cancellation = new CancellationTokenSource();
        private readonly Stopwatch _progressClock = Stopwatch.StartNew();
        private readonly AsyncPump _pump = new AsyncPump();
        private ProvisioningApi? _api;
        private BulkUploadSender? _sender;
        private UploadJournal? _journal;
        private string _servicePrincipalId = string.Empty;
        private string _jobId = string.Empty;
        private bool _whatIf;
        private PausedJob? _paused;
        private int _fileIndex;
        private int _requests;
        private long _records;
        private int _accepted;
        private long _acceptedRecords;
        private int _failed;
        private bool _budgetWarned;
        private EntraInboundProvisioning.State.RunState? _state;
        private EntraInboundProvisioning.State.ConversionSummary? _plan;
        private DateTimeOffset _startedAt;
        private bool _committed;

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

        /// <summary><para type="description">The tenant's daily bulkUpload call quota (2,000 with P1/P2, 6,000 with Governance). Calls journaled in the last 24 hours count against it.</para></summary>
        [Parameter]
        [ValidateRange(1, 1000000)]
        public int DailyRequestLimit { get; set; } = 2000;

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
            if (Resume.IsPresent && JournalPath is null)
            {
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException("-Resume needs -JournalPath: the journal says what was already accepted."), "ResumeWithoutJournal", ErrorCategory.InvalidArgument, null));
            }

            if (Uri is null && ServicePrincipalId is null)
            {
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException("Say where to send: -ServicePrincipalId (and -JobId when the app has several jobs), or -Uri with the bulkUpload URL from the portal."), "NoTarget", ErrorCategory.InvalidArgument, null));
            }

            _api = ProvisioningSession.Require(this);
            ResolveTarget();
            _whatIf = MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? whatIf)
                ? whatIf is SwitchParameter { IsPresent: true } || whatIf is true
                : LanguagePrimitives.IsTrue(SessionState.PSVariable.GetValue("WhatIfPreference"));
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

            if (_whatIf)
            {
                return;
            }

            if (!ShouldProcess($"job {_jobId} of service principal {_servicePrincipalId}", "Send SCIM bulk requests"))
            {
                _whatIf = true;
                return;
            }

            _startedAt = DateTimeOffset.UtcNow;
            if (_state is not null)
            {
                _state.BindJob(_servicePrincipalId, _jobId);
                _state.DailyRequestLimit = DailyRequestLimit;
            }

            int budget = DailyRequestLimit;
            if (JournalPath is not null)
            {
                string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(JournalPath);
                _journal = UploadJournal.Open(path, out int unreadable);
                if (unreadable > 0)
                {
                    WriteWarning($"{unreadable} line(s) of the journal '{path}' could not be read (a run was cut off while writing); their requests are sent again.");
                }

                budget -= _journal.AcceptedInLast24Hours;
            }

            if (budget <= 0)
            {
                ThrowTerminatingError(new ErrorRecord(new InvalidOperationException($"The journal shows {DailyRequestLimit - budget} accepted calls in the last 24 hours, the whole daily request limit of {DailyRequestLimit}; nothing was sent."), "DailyRequestLimitReached", ErrorCategory.LimitsExceeded, JournalPath));
            }

            if (RestartService.IsPresent)
            {
                WriteVerbose($"Pausing job {_jobId} for the upload.");
                _paused = RunGraph(ct => PausedJob.PauseAsync(_api, _servicePrincipalId, _jobId, ct), "PauseJobFailed");
            }

            _sender = new BulkUploadSender(
                _api,
                _servicePrincipalId,
                _jobId,
                // With a state, only what was accepted since the state was last saved stands for a request of the same
                // content: an older acceptance of it is a retry or a re-send the state asked for.
                new SendOptions { MaxConcurrency = MaxConcurrency, CallsPerWindow = PacingLimit, Window = PacingWindow, MaxAttempts = MaxAttempts, CallBudget = budget, ResumeAcceptedSince = _state?.SavedAt },
                _journal,
                Resume.IsPresent,
                _cancellation.Token);
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
                ShouldProcess($"job {_jobId} of service principal {_servicePrincipalId} ({_api!.Graph.Endpoints.Graph.Host})", $"Send {_requests} SCIM bulk request(s) with {_records} record(s)");
                return;
            }

            _sender!.Complete();
            while (!_sender.IsFinished)
            {
                BulkUploadResult? result = _sender.Next(TimeSpan.FromMilliseconds(200));
                if (result is not null)
                {
                    Write(result);
                }
            }

            foreach (BulkUploadResult result in _sender.Drain())
            {
                Write(result);
            }

            StartAgain();
            CommitState(stopped: false);
            WriteProgress(new ProgressRecord(ProgressId, "Sending SCIM bulk requests", "Done") { RecordType = ProgressRecordType.Completed });
            WriteVerbose($"{_accepted} of {_requests} request(s) accepted ({_acceptedRecords} record(s)), {_failed} not accepted, {_sender.Calls} call(s) made. The provisioning service processes accepted records asynchronously; their logs appear within minutes (Get-ProvisioningCycleLog -Wait).");
        }

        /// <inheritdoc />
        protected override void StopProcessing()
        {
            _cancellation.Cancel();
            _sender?.Stop();
        }

        /// <inheritdoc />
        public void Dispose()
        {
            if (_sender is not null && _state is not null && !_committed)
            {
                // Stopped by an error (ErrorAction Stop) or Ctrl+C: keep what the service accepted. After an error the
                // calls in flight may finish, so their answers are known; Ctrl+C has already cancelled them. The journal
                // holds what is recorded if this fails too.
                _sender.Finish();
                var clock = Stopwatch.StartNew();
                while (!_sender.IsFinished && clock.Elapsed < TimeSpan.FromSeconds(30))
                {
                    Thread.Sleep(20);
                }

                _sender.Stop();
                foreach (BulkUploadResult result in _sender.Drain())
                {
                    Record(result);
                }
            }

            _sender?.Dispose();
            StartAgain();
            if (_sender is not null && _requests > 0)
            {
                // Only a run that posted something has anything to record; one stopped before (a refused conversion)
                // leaves the state as it was.
                try
                {
                    CommitState(stopped: true);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    // The state's journal keeps the accepted records for the next run.
                }
            }

            _state?.Dispose();
            _journal?.Dispose();
            _cancellation.Dispose();
        }

        /// <summary>
        /// Records an accepted request's records in the state (on the pipeline thread, where the state lives), from the
        /// facts the request carries; a request accepted in an earlier run (-Resume) has the same content, so the same facts.
        /// </summary>
        private void Record(BulkUploadResult result)
        {
            _state?.RecordAccepted(result);
        }

        /// <summary>A plan that came down the pipeline: the conversion's summary.</summary>
        private void TakePlan(EntraInboundProvisioning.State.ConversionSummary plan)
        {
            if (plan.WhatIf)
            {
                WriteVerbose($"The conversion ran with -WhatIf ({plan}): it converted nothing, so nothing is sent or recorded.");
                return;
            }

            _plan = plan;
        }

        private void CommitState(bool stopped)
        {
            if (_state is null || _committed || _whatIf)
            {
                return;
            }

            _committed = true;
            EntraInboundProvisioning.State.ConversionSummary? plan = _plan ?? _state.CurrentPlan;
            if (_requests == 0 && (plan is null || plan.WhatIf))
            {
                // Nothing was posted and no real conversion planned this run (a -WhatIf conversion, or none): the last
                // run stays the one that happened.
                _state.Commit();
                return;
            }

            // What was accepted is what the state recorded: counted where it was recorded (and journaled), also when an
            // error or Ctrl+C stopped the run and its last results were only drained on the way out.
            _state.Commit(new EntraInboundProvisioning.State.RunRecord
            {
                StartedAt = _startedAt,
                CompletedAt = DateTimeOffset.UtcNow,
                JobId = _jobId,
                Plan = plan is { WhatIf: false } ? plan : null,
                Requests = _requests,
                Accepted = _state.AcceptedRequests,
                AcceptedRecords = _state.AcceptedRecords,
                NotAccepted = _requests - _state.AcceptedRequests,
                Stopped = stopped,
            });
            WriteVerboseSafe($"State '{_state.Path}' saved: {_state.Workers:N0} worker(s), {_state.AcceptedRequests} accepted request(s) of this run recorded.");
        }

        private void WriteVerboseSafe(string text)
        {
            try
            {
                WriteVerbose(text);
            }
            catch (PipelineStoppedException)
            {
                // Stopped: nothing can be written any more.
            }
        }

        private void ResolveTarget()
        {
            if (Uri is not null)
            {
                Match match = BulkUploadUrl.Match(Uri.AbsolutePath);
                if (!match.Success)
                {
                    ThrowTerminatingError(new ErrorRecord(new PSArgumentException($"'{Uri}' is not a bulkUpload URL (…/servicePrincipals/{{id}}/synchronization/jobs/{{jobId}}/bulkUpload)."), "InvalidBulkUploadUri", ErrorCategory.InvalidArgument, Uri));
                }

                if (!_api!.Graph.Endpoints.MayReceiveToken(new Uri(Uri.GetLeftPart(UriPartial.Authority))) && !string.Equals(Uri.Host, _api.Graph.Endpoints.Graph.Host, StringComparison.OrdinalIgnoreCase))
                {
                    ThrowTerminatingError(new ErrorRecord(new PSArgumentException($"'{Uri.Host}' is not the Graph host of this session ({_api.Graph.Endpoints.Graph.Host}); connect to the right cloud with -Environment."), "BulkUploadUriOtherCloud", ErrorCategory.InvalidArgument, Uri));
                }

                _servicePrincipalId = System.Uri.UnescapeDataString(match.Groups["sp"].Value);
                _jobId = System.Uri.UnescapeDataString(match.Groups["job"].Value);
                return;
            }

            ServicePrincipalInfo sp = RunGraph(ct => _api!.ResolveServicePrincipalAsync(ServicePrincipalId!, ct), "ServicePrincipalNotFound");
            ProvisioningSession.Remember(sp);
            SynchronizationJobInfo job = RunGraph(ct => _api!.ResolveJobAsync(sp.Id, JobId, ct), "ProvisioningJobNotFound");
            _servicePrincipalId = sp.Id;
            _jobId = job.Id;
            WriteVerbose($"Sending to job {job.Id} ({job.TemplateId}, {job.Status}) of '{sp.DisplayName}' ({sp.Id}).");
            if (string.Equals(job.Status, "Quarantine", StringComparison.OrdinalIgnoreCase))
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

            while (!_sender!.TryPost(request, TimeSpan.FromMilliseconds(100)))
            {
                foreach (BulkUploadResult result in _sender.Drain())
                {
                    Write(result);
                }
            }

            foreach (BulkUploadResult result in _sender.Drain())
            {
                Write(result);
            }
        }

        private void Write(BulkUploadResult result)
        {
            Record(result);
            switch (result.Status)
            {
                case BulkUploadStatus.Accepted:
                case BulkUploadStatus.AlreadyAccepted:
                    _accepted++;
                    _acceptedRecords += result.OperationCount;
                    break;
                case BulkUploadStatus.NotSent:
                    _failed++;
                    if (_sender!.BudgetExhausted && !_budgetWarned)
                    {
                        _budgetWarned = true;
                        WriteWarning($"The daily request limit ({DailyRequestLimit} calls, journaled calls included) is reached: the remaining requests are not sent. Resume tomorrow with -JournalPath and -Resume.");
                    }

                    break;
                default:
                    _failed++;
                    break;
            }

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
                WriteProgress(new ProgressRecord(ProgressId, "Sending SCIM bulk requests", $"{_accepted} of {_requests} request(s) accepted, {_acceptedRecords:N0} record(s), {_failed} not accepted"));
            }
        }

        private void StartAgain()
        {
            if (_paused is null)
            {
                return;
            }

            // Always start again, also after a failed or stopped upload; PausedJob never restarts (that would purge it).
            GraphException? failure = _paused.StartAgainAsync().GetAwaiter().GetResult();
            _paused = null;
            if (failure is not null)
            {
                try
                {
                    WriteWarning($"Job {_jobId} was paused for the upload and could not be started again: {failure.Message}. Start it in the portal or with the Graph API.");
                }
                catch (PipelineStoppedException)
                {
                    // Stopped: nothing can be written any more.
                }
            }
        }

        private T RunGraph<T>(Func<CancellationToken, System.Threading.Tasks.Task<T>> work, string errorId)
        {
            try
            {
                return _pump.Run(this, work, _cancellation.Token);
            }
            catch (GraphException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, errorId, GraphErrors.Category(ex), ServicePrincipalId ?? (object?)Uri));
                throw; // not reached
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, errorId, ErrorCategory.InvalidArgument, ServicePrincipalId));
                throw; // not reached
            }
        }

        private void RunGraph(Func<CancellationToken, System.Threading.Tasks.Task> work, string errorId)
            => RunGraph(async ct =>
            {
                await work(ct).ConfigureAwait(false);
                return true;
            }, errorId);

        private static string Preview(IReadOnlyList<string> ids) => ids.Count <= 3 ? string.Join(", ", ids) : $"{ids[0]}, {ids[1]} … {ids[ids.Count - 1]}";
    }
}
