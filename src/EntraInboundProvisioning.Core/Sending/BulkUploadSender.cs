using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Graph;
using EntraInboundProvisioning.Scim;

namespace EntraInboundProvisioning.Sending
{
    /// <summary>
    /// Sends bulk requests to one job's /bulkUpload: several at once, paced under the per-job limit, retrying 429,
    /// 5xx and dropped connections with backoff and jitter (honouring Retry-After), never retrying other 4xx.
    /// The pipeline thread posts requests and drains results; all network work runs on worker tasks.
    /// </summary>
    public sealed class BulkUploadSender : IDisposable
    {
        private readonly ProvisioningApi _api;
        private readonly string _servicePrincipalId;
        private readonly string _jobId;
        private readonly SendOptions _options;
        private readonly UploadJournal? _journal;
        private readonly bool _resume;
        private readonly PacingGate _gate;
        private readonly BlockingCollection<(BulkRequest Request, Task? After)> _queue;
        private readonly ConcurrentDictionary<int, TaskCompletionSource<bool>> _answered = new ConcurrentDictionary<int, TaskCompletionSource<bool>>();
        private readonly BlockingCollection<BulkUploadResult> _results = new BlockingCollection<BulkUploadResult>();
        private readonly CancellationTokenSource _stop;
        private readonly Task[] _workers;
        private readonly Internal.JitteredBackoff _backoff;
        private int _calls;
        private int _running;
        private volatile bool _finishing;
        private volatile string? _quotaExhausted;
        private readonly ConcurrentQueue<string> _notices = new ConcurrentQueue<string>();

        /// <summary>Starts the workers.</summary>
        /// <param name="api">The session's provisioning API.</param>
        /// <param name="servicePrincipalId">The app.</param>
        /// <param name="jobId">The job.</param>
        /// <param name="options">Pacing, retries, budget.</param>
        /// <param name="cancellationToken">Stops all work.</param>
        /// <param name="journal">Records accepted requests.</param>
        /// <param name="resume">Skip requests the journal already holds.</param>
        public BulkUploadSender(ProvisioningApi api, string servicePrincipalId, string jobId, SendOptions options, UploadJournal? journal, bool resume, CancellationToken cancellationToken)
        {
            _resume = resume;
            _api = api;
            _servicePrincipalId = servicePrincipalId;
            _jobId = jobId;
            _options = options;
            _journal = journal;
            _gate = new PacingGate(options.CallsPerWindow, options.Window);
            _queue = new BlockingCollection<(BulkRequest, Task?)>(Math.Max(2, options.MaxConcurrency * 2));
            _stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            _backoff = new Internal.JitteredBackoff(options.RetryBaseDelay, options.MaxRetryDelay, options.JitterSeed);
            _running = Math.Max(1, options.MaxConcurrency);
            _workers = Enumerable.Range(0, _running).Select(_ => Task.Factory.StartNew(WorkAsync, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()).ToArray();
        }

        /// <summary>Calls made so far, retries included (they count against the daily quota).</summary>
        public int Calls => Volatile.Read(ref _calls);

        /// <summary>True once the call budget is used up, or the service said the quota is: the rest is reported as NotSent.</summary>
        public bool BudgetExhausted => Calls >= _options.CallBudget || _quotaExhausted is not null;

        /// <summary>Why the service's answer stopped the run (a Retry-After longer than <see cref="SendOptions.LongestWait"/>), or null.</summary>
        public string? QuotaExhausted => _quotaExhausted;

        /// <summary>Takes a notice of a long wait (throttling), for the caller to show; false when none is queued.</summary>
        public bool TryTakeNotice(out string notice)
        {
            if (_notices.TryDequeue(out string? taken))
            {
                notice = taken;
                return true;
            }

            notice = string.Empty;
            return false;
        }

        /// <summary>
        /// Queues a request, waiting while the queue is full. Returns false (without queueing) if a result is
        /// waiting to be drained first, so the pipeline thread can write it and try again.
        /// </summary>
        public bool TryPost(BulkRequest request, TimeSpan wait)
        {
            if (_resume && _journal is not null && _journal.WasAccepted(_jobId, request.Json, _options.ResumeAcceptedSince))
            {
                _results.Add(new BulkUploadResult(request, BulkUploadStatus.AlreadyAccepted, _servicePrincipalId, _jobId) { Error = "Accepted in an earlier run (journal)." });
                Answered(request.Index);
                return true;
            }

            // A request holding reports waits for the answer to the request holding their managers, when that one was
            // posted earlier in this run: the service can only set a manager reference once the manager exists.
            Task? after = request.DependsOn > 0 && request.DependsOn < request.Index && _answered.TryGetValue(request.DependsOn, out TaskCompletionSource<bool>? dependency) ? dependency.Task : null;
            var answer = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            _answered[request.Index] = answer;
            if (_queue.TryAdd((request, after), wait))
            {
                return true;
            }

            _answered.TryRemove(request.Index, out _);
            return false;
        }

        private void Answered(int index)
        {
            if (_answered.TryGetValue(index, out TaskCompletionSource<bool>? answer))
            {
                answer.TrySetResult(true);
            }
            else
            {
                var done = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
                done.SetResult(true);
                _answered[index] = done;
            }
        }

        /// <summary>Results available now, without waiting.</summary>
        public IEnumerable<BulkUploadResult> Drain()
        {
            while (_results.TryTake(out BulkUploadResult? result))
            {
                yield return result;
            }
        }

        /// <summary>Waits up to <paramref name="wait"/> for a result; null when none came or all work is done.</summary>
        public BulkUploadResult? Next(TimeSpan wait) => _results.TryTake(out BulkUploadResult? result, wait) ? result : null;

        /// <summary>No more requests will be posted.</summary>
        public void Complete() => _queue.CompleteAdding();

        /// <summary>True when every posted request has a result in the results queue.</summary>
        public bool IsFinished => Volatile.Read(ref _running) == 0;

        /// <summary>
        /// Stops sending but lets the calls in flight finish, without retrying them: what is still queued is reported as
        /// NotSent, and a call the service answers is reported as it answered, so whoever records acceptances knows what
        /// was accepted. For a run that ends on an error; Ctrl+C uses <see cref="Stop"/>.
        /// </summary>
        public void Finish()
        {
            _finishing = true;
            _queue.CompleteAdding();
        }

        /// <summary>Stops promptly: in-flight calls are cancelled and what is still queued is reported as NotSent.</summary>
        public void Stop()
        {
            _stop.Cancel();
            _queue.CompleteAdding();
        }

        /// <inheritdoc />
        public void Dispose()
        {
            Stop();
            try
            {
                Task.WaitAll(_workers, TimeSpan.FromSeconds(10));
            }
            catch (AggregateException)
            {
                // Workers report their own failures as results.
            }

            _gate.Dispose();
            _stop.Dispose();
            _queue.Dispose();
            _results.Dispose();
        }

        private async Task WorkAsync()
        {
            try
            {
                foreach ((BulkRequest request, Task? after) in _queue.GetConsumingEnumerable())
                {
                    if (after is not null && !after.IsCompleted)
                    {
                        // When stopped, the wait ends and SendAsync reports the request as not sent.
                        await Task.WhenAny(after, Task.Delay(Timeout.Infinite, _stop.Token)).ConfigureAwait(false);
                    }

                    _results.Add(await SendAsync(request).ConfigureAwait(false));
                    Answered(request.Index);
                }
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }

        /// <summary>Tells <see cref="SendOptions.CallStarting"/>; a note that cannot be written only leaves the call uncounted if the run is killed.</summary>
        private void NoteCall(int call)
        {
            try
            {
                _options.CallStarting?.Invoke(call);
            }
            catch (Exception ex) when (ex is System.IO.IOException or ObjectDisposedException or UnauthorizedAccessException)
            {
                // The acceptance, journaled on its own, is what matters; the count is a safeguard.
            }
        }

        private async Task<BulkUploadResult> SendAsync(BulkRequest request)
        {
            string clientRequestId = Guid.NewGuid().ToString();
            var clock = Stopwatch.StartNew();
            int attempts = 0;
            GraphException? last = null;
            while (attempts < _options.MaxAttempts)
            {
                if (_stop.IsCancellationRequested || _finishing)
                {
                    return NotSent(request, attempts, clock, last, "The run was stopped before this request was accepted.");
                }

                if (_quotaExhausted is string quota)
                {
                    return NotSent(request, attempts, clock, last, quota);
                }

                int call = Interlocked.Increment(ref _calls);
                if (call > _options.CallBudget)
                {
                    Interlocked.Decrement(ref _calls);
                    return NotSent(request, attempts, clock, last, _options.CallsBefore > 0
                        ? $"The daily request limit was reached: {_options.CallsBefore:N0} call(s) in the last 24 hours before this run, and {_options.CallBudget:N0} in it; the request was not sent."
                        : $"The daily request limit of {_options.CallBudget:N0} calls was reached; the request was not sent.");
                }

                attempts++;
                try
                {
                    // Have a token first, so the paced moment is the moment the call goes out.
                    await _api.Graph.Tokens.GetTokenAsync(false, _stop.Token).ConfigureAwait(false);
                    PacingSlot slot = await _gate.EnterAsync(_stop.Token).ConfigureAwait(false);
                    NoteCall(call);
                    GraphResponse response = await _api.BulkUploadAsync(_servicePrincipalId, _jobId, request.Json, clientRequestId, () => _gate.Sending(slot), _stop.Token).ConfigureAwait(false);
                    var accepted = new BulkUploadResult(request, BulkUploadStatus.Accepted, _servicePrincipalId, _jobId)
                    {
                        HttpStatus = (int)response.Status,
                        Attempts = attempts,
                        RequestId = response.RequestId,
                        ClientRequestId = clientRequestId,
                        Location = response.Location,
                        Elapsed = clock.Elapsed,
                        AcceptedAt = DateTimeOffset.UtcNow,
                    };
                    _journal?.Record(accepted);
                    return accepted;
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return NotSent(request, attempts, clock, last, "The run was stopped while this request was in flight; it may or may not have been accepted.");
                }
                catch (GraphException ex)
                {
                    last = ex;
                    if (!ex.IsTransient || attempts >= _options.MaxAttempts)
                    {
                        break;
                    }

                    TimeSpan delay = _backoff.Next(attempts, ex.RetryAfter);
                    if (ex.Status == (HttpStatusCode)429 && ex.RetryAfter is TimeSpan asked && asked > _options.LongestWait)
                    {
                        // Throttling lasts seconds; a wait of an hour is the daily quota talking. Sleeping through it
                        // would outlive an Automation job (3 hours) and send nothing: stop, and let the next run go on.
                        _quotaExhausted ??= $"The service asked to wait {Describe(asked)} before the next call (429, Retry-After), longer than this run waits ({Describe(_options.LongestWait)}): the tenant's daily request quota is probably used up. The request was not sent; the next run sends it.";
                        return NotSent(request, attempts, clock, last, _quotaExhausted);
                    }

                    if (ex.Status == (HttpStatusCode)429)
                    {
                        // Throttling is per job: every worker waits, not just this one.
                        _gate.HoldFor(delay);
                    }

                    if (delay >= NoticeableWait)
                    {
                        _notices.Enqueue($"{(ex.Status == (HttpStatusCode)429 ? "Throttled (429)" : $"Attempt {attempts} failed ({ex.Message})")}: waiting {Describe(delay)} before trying again{(ex.RetryAfter is not null ? " (Retry-After)" : string.Empty)}.");
                    }

                    try
                    {
                        await Task.Delay(delay, _stop.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        return NotSent(request, attempts, clock, last, "The run was stopped before this request was accepted.");
                    }
                }
            }

            return new BulkUploadResult(request, BulkUploadStatus.Failed, _servicePrincipalId, _jobId)
            {
                HttpStatus = last?.Status is HttpStatusCode status ? (int)status : null,
                Attempts = attempts,
                RequestId = last?.RequestId,
                ClientRequestId = clientRequestId,
                Elapsed = clock.Elapsed,
                Error = last is null ? "Not sent." : (last.IsTransient ? $"Gave up after {attempts} attempt(s): {last.Message}" : last.Message),
                ErrorCode = last?.Code,
            };
        }

        private BulkUploadResult NotSent(BulkRequest request, int attempts, Stopwatch clock, GraphException? last, string why)
            => new BulkUploadResult(request, BulkUploadStatus.NotSent, _servicePrincipalId, _jobId)
            {
                Attempts = attempts,
                Elapsed = clock.Elapsed,
                HttpStatus = last?.Status is HttpStatusCode status ? (int)status : null,
                Error = why,
            };

        /// <summary>Waits this long or longer are told (verbose), so a run that waits is not a run that hangs.</summary>
        private static readonly TimeSpan NoticeableWait = TimeSpan.FromSeconds(10);

        /// <summary>A wait in words: "5 minutes", "90 seconds", "0.5 seconds" (a sub-second wait is not "0 seconds").</summary>
        internal static string Describe(TimeSpan wait)
        {
            if (wait.TotalMinutes >= 2)
            {
                return $"{wait.TotalMinutes.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} minutes";
            }

            double seconds = Math.Max(0, wait.TotalSeconds);
            string count = seconds.ToString(seconds < 10 ? "0.###" : "N0", System.Globalization.CultureInfo.InvariantCulture);
            return count == "1" ? "1 second" : $"{count} seconds";
        }
    }
}
