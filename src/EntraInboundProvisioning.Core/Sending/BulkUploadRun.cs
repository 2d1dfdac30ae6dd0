using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Graph;
using EntraInboundProvisioning.Scim;
using EntraInboundProvisioning.State;

namespace EntraInboundProvisioning.Sending
{
    /// <summary>
    /// One send to one job, from start to its run record: keeps the day's request budget (journaled calls of the last
    /// 24 hours count), pauses the job if asked and always starts it again, posts requests through a
    /// <see cref="BulkUploadSender"/> (paced, retried), records in the state what the service accepted, and ends with
    /// <see cref="Finish"/> or, when an error or Ctrl+C stopped the pipeline, <see cref="Abort"/>; both save the state
    /// with a run record. Everything worth telling comes back as <see cref="UploadEvent"/>s, for the caller to write.
    /// Posting, draining and finishing happen on one thread (the pipeline's): the state is not thread-safe.
    /// </summary>
    public sealed class BulkUploadRun : IDisposable
    {
        private readonly BulkUploadSender _sender;
        private readonly BulkUploadRunOptions _options;
        private readonly RunState? _state;
        private readonly DateTimeOffset _startedAt = DateTimeOffset.UtcNow;
        private PausedJob? _paused;
        private ConversionSummary? _plan;
        private bool _budgetReported;
        private bool _ended;

        private BulkUploadRun(BulkUploadSender sender, BulkUploadRunOptions options, RunState? state, PausedJob? paused)
        {
            _sender = sender;
            _options = options;
            _state = state;
            _paused = paused;
        }

        /// <summary>Requests posted.</summary>
        public int Requests { get; private set; }

        /// <summary>Records in the requests posted.</summary>
        public long Records { get; private set; }

        /// <summary>Requests the service accepted (in this run, or an earlier one: -Resume).</summary>
        public int Accepted { get; private set; }

        /// <summary>Records in those requests.</summary>
        public long AcceptedRecords { get; private set; }

        /// <summary>Requests refused, or not sent (daily limit, stopped).</summary>
        public int NotAccepted { get; private set; }

        /// <summary>Calls made, retries included (they count against the daily quota).</summary>
        public int Calls => _sender.Calls;

        /// <summary>
        /// Starts a run: checks the day's budget, binds the state to the job, and pauses the job when asked.
        /// </summary>
        /// <exception cref="DailyRequestLimitReachedException">The journal shows the whole daily limit used in the last 24 hours.</exception>
        /// <exception cref="InvalidOperationException">The state belongs to another job.</exception>
        /// <exception cref="GraphException">The job could not be paused.</exception>
        public static async Task<BulkUploadRun> StartAsync(ProvisioningApi api, string servicePrincipalId, string jobId, BulkUploadRunOptions options, UploadJournal? journal, RunState? state, CancellationToken cancellationToken)
        {
            // The quota is the tenant's, per 24 hours: what earlier runs used counts, as the journal or the state knows it.
            int journaled = journal?.AcceptedInLast24Hours ?? 0;
            int recorded = state?.CallsInLast24Hours(DateTimeOffset.UtcNow) ?? 0;
            int used = Math.Max(journaled, recorded);
            int budget = options.DailyRequestLimit - used;
            if (budget <= 0)
            {
                string source = recorded >= journaled ? $"The runs recorded in the state '{state!.Path}' made {used:N0} calls" : $"The journal shows {used:N0} accepted calls";
                throw new DailyRequestLimitReachedException($"{source} in the last 24 hours, the whole daily request limit of {options.DailyRequestLimit:N0}; nothing was sent. Run again once the oldest of them is 24 hours old, or raise -DailyRequestLimit if the tenant allows more (6,000 with Microsoft Entra ID Governance).");
            }

            if (state is not null)
            {
                state.BindJob(servicePrincipalId, jobId);
                state.DailyRequestLimit = options.DailyRequestLimit;
                if (options.HistoryLimit is int keep)
                {
                    state.HistoryLimit = keep;
                }
            }

            PausedJob? paused = options.PauseJob ? await PausedJob.PauseAsync(api, servicePrincipalId, jobId, cancellationToken).ConfigureAwait(false) : null;
            var send = new SendOptions
            {
                MaxConcurrency = options.MaxConcurrency,
                CallsPerWindow = options.CallsPerWindow,
                Window = options.Window,
                MaxAttempts = options.MaxAttempts,
                CallBudget = budget,
                CallsBefore = used,
                CallStarting = state is null ? null : state.RecordCallStarting,
                LongestWait = options.LongestWait,

                // With a state, only what was accepted since the state was last saved stands for a request of the same
                // content: an older acceptance of it is a retry or a re-send the state asked for.
                ResumeAcceptedSince = state?.SavedAt,
            };
            return new BulkUploadRun(new BulkUploadSender(api, servicePrincipalId, jobId, send, journal, options.Resume, cancellationToken), options, state, paused);
        }

        /// <summary>
        /// Takes a conversion's plan that came with the requests (down the pipeline), recorded with the run. A plan of a
        /// -WhatIf conversion is refused (false): it converted nothing, so there is nothing of it to record.
        /// </summary>
        public bool TakePlan(ConversionSummary plan)
        {
            if (plan.WhatIf)
            {
                return false;
            }

            _plan = plan;
            _state?.RecordPlan(plan);
            return true;
        }

        /// <summary>Queues a request; false (without queueing) when results wait to be drained first.</summary>
        public bool TryPost(BulkRequest request, TimeSpan wait)
        {
            if (!_sender.TryPost(request, wait))
            {
                return false;
            }

            Requests++;
            Records += request.OperationCount;
            return true;
        }

        /// <summary>What happened since the last call, without waiting.</summary>
        public IEnumerable<UploadEvent> Drain()
        {
            while (_sender.TryTakeNotice(out string notice))
            {
                yield return new UploadEvent(UploadEventKind.Waiting, null, notice);
            }

            foreach (BulkUploadResult result in _sender.Drain())
            {
                foreach (UploadEvent happened in Take(result))
                {
                    yield return happened;
                }
            }
        }

        /// <summary>
        /// No more requests: waits for every answer (reporting each as it comes), starts a paused job again, and saves
        /// the state with a record of the run.
        /// </summary>
        public IEnumerable<UploadEvent> Finish()
        {
            _sender.Complete();
            while (!_sender.IsFinished)
            {
                while (_sender.TryTakeNotice(out string notice))
                {
                    yield return new UploadEvent(UploadEventKind.Waiting, null, notice);
                }

                if (_sender.Next(TimeSpan.FromMilliseconds(200)) is BulkUploadResult result)
                {
                    foreach (UploadEvent happened in Take(result))
                    {
                        yield return happened;
                    }
                }
            }

            foreach (UploadEvent happened in Drain())
            {
                yield return happened;
            }

            foreach (UploadEvent happened in End(stopped: false))
            {
                yield return happened;
            }
        }

        /// <summary>Ctrl+C: stops promptly; calls in flight are cancelled (their answers are lost).</summary>
        public void Stop() => _sender.Stop();

        /// <summary>
        /// The pipeline stopped early (an error under ErrorAction Stop, Ctrl+C): lets the calls in flight finish when
        /// they still can, records what the service accepted, starts a paused job again, and saves the state marked as
        /// stopped. Returns what happened, for a caller that can still write it. Does nothing after <see cref="Finish"/>.
        /// </summary>
        public IReadOnlyList<UploadEvent> Abort()
        {
            var events = new List<UploadEvent>();
            if (_ended)
            {
                return events;
            }

            _sender.Finish();
            var clock = Stopwatch.StartNew();
            while (!_sender.IsFinished && clock.Elapsed < _options.AbortWait)
            {
                if (_sender.Next(TimeSpan.FromMilliseconds(50)) is BulkUploadResult result)
                {
                    events.AddRange(Take(result));
                }
            }

            _sender.Stop();
            events.AddRange(Drain());
            events.AddRange(End(stopped: true));
            return events;
        }

        /// <inheritdoc />
        public void Dispose()
        {
            Abort();
            _sender.Dispose();
        }

        /// <summary>A result: recorded in the state at once, then told (the budget first, the first time it runs out).</summary>
        private List<UploadEvent> Take(BulkUploadResult result)
        {
            var events = new List<UploadEvent>(2);
            _state?.RecordAccepted(result);
            if (result.Status is BulkUploadStatus.Accepted or BulkUploadStatus.AlreadyAccepted)
            {
                Accepted++;
                AcceptedRecords += result.OperationCount;
            }
            else
            {
                NotAccepted++;
            }

            if (result.Status == BulkUploadStatus.NotSent && _sender.BudgetExhausted && !_budgetReported)
            {
                _budgetReported = true;
                string next = _state is null ? "Resume tomorrow with -JournalPath and -Resume." : "The next run with the state sends what was not accepted.";
                events.Add(new UploadEvent(UploadEventKind.BudgetReached, null, _sender.QuotaExhausted is string quota
                    ? $"{quota.Replace("The request was not sent; the next run sends it.", "The remaining requests are not sent.")} {next}"
                    : $"The daily request limit ({_options.DailyRequestLimit:N0} calls in 24 hours, earlier runs' calls included) is reached: the remaining requests are not sent. {next}"));
            }

            events.Add(new UploadEvent(UploadEventKind.Result, result, null));
            return events;
        }

        /// <summary>Starts a paused job again and saves the state, at once (whoever reads the events may stop reading).</summary>
        private List<UploadEvent> End(bool stopped)
        {
            var events = new List<UploadEvent>();
            if (_ended)
            {
                return events;
            }

            _ended = true;
            if (_paused is not null)
            {
                // Always started again, also after a failed or stopped upload; never restarted (that would purge it).
                GraphException? failure = _paused.StartAgainAsync().GetAwaiter().GetResult();
                if (failure is not null)
                {
                    events.Add(new UploadEvent(UploadEventKind.JobNotStartedAgain, null, $"Job {_paused.JobId} was paused for the upload and could not be started again: {failure.Message}. Start it in the portal or with the Graph API."));
                }

                _paused = null;
            }

            if (_state is null || (stopped && Requests == 0))
            {
                // A run stopped before it posted anything (a refused conversion) leaves the state as it was.
                return events;
            }

            if (Requests == 0 && (_plan ?? _state.Plan) is null)
            {
                // Nothing was posted and no real conversion planned this run (a -WhatIf conversion upstream): the last
                // run stays the one that happened, and a state that was never saved is not created, nor bound to a job.
                if (_state.SavedAt is not null || _state.LastRun is not null)
                {
                    _state.Commit();
                }

                return events;
            }

            // What was accepted is what the state recorded (and journaled), counted where it was recorded.
            _state.Commit(new RunRecord
            {
                StartedAt = _startedAt,
                CompletedAt = DateTimeOffset.UtcNow,
                JobId = _state.JobId,
                Plan = _plan ?? _state.Plan,
                Requests = Requests,
                Accepted = _state.AcceptedRequests,
                AcceptedRecords = _state.AcceptedRecords,
                NotAccepted = Requests - _state.AcceptedRequests,
                Calls = Calls,
                Stopped = stopped || _sender.BudgetExhausted,
            });
            events.Add(new UploadEvent(UploadEventKind.StateSaved, null, $"State '{_state.Path}' saved: {_state.Workers:N0} worker(s), {_state.AcceptedRequests} accepted request(s) of this run recorded."));
            return events;
        }
    }
}
