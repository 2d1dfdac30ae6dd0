using System;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace EntraInboundProvisioning.Graph
{
    /// <summary>
    /// Every read of a session: paced where Graph limits the family (the reports, auditLogs: 5 requests per 10 seconds
    /// per app per tenant, one gate for the whole session, which is one app in one tenant), and retried where retrying is
    /// safe (429, 5xx, a dropped connection or an answer cut short) with backoff and jitter, honouring Retry-After. A read
    /// fails only when its attempts are spent, with the last failure and the count of attempts in the message.
    /// </summary>
    public sealed class PacedReader : IDisposable
    {
        private readonly GraphClient _graph;
        private readonly GraphReadOptions _options;
        private readonly ReportsGate _reports;
        private readonly Internal.JitteredBackoff _backoff;

        /// <summary>Creates the reader of a session's client.</summary>
        public PacedReader(GraphClient graph, GraphReadOptions? options = null)
        {
            _graph = graph;
            _options = options ?? new GraphReadOptions();
            _reports = new ReportsGate(Math.Max(1, _options.ReportsCallsPerWindow), _options.ReportsWindow);
            _backoff = new Internal.JitteredBackoff(_options.RetryBaseDelay, _options.MaxRetryDelay, _options.JitterSeed);
        }

        /// <summary>The options.</summary>
        public GraphReadOptions Options => _options;

        /// <summary>GET a path (or an @odata.nextLink) and parse the answer as JSON, paced and retried.</summary>
        public Task<JsonDocument> GetJsonAsync(string relativeOrAbsolute, CancellationToken cancellationToken, GraphReadTally? tally = null)
            => ReadAsync(relativeOrAbsolute, tally, ct => _graph.GetJsonStreamedAsync(relativeOrAbsolute, ct), cancellationToken);

        /// <summary>GET a path and return the answer, paced and retried.</summary>
        public Task<GraphResponse> GetAsync(string relativeOrAbsolute, CancellationToken cancellationToken, GraphReadTally? tally = null)
            => ReadAsync(relativeOrAbsolute, tally, ct => _graph.SendAsync(HttpMethod.Get, relativeOrAbsolute, null, null, ct), cancellationToken);

        /// <summary>True for the identity and access reports (auditLogs/…), which Graph limits per app per tenant.</summary>
        public static bool IsReport(string relativeOrAbsolute)
        {
            string path = relativeOrAbsolute.Split('?')[0];
            return path.StartsWith("auditLogs/", StringComparison.OrdinalIgnoreCase)
                || path.IndexOf("/auditLogs/", StringComparison.OrdinalIgnoreCase) >= 0;
        }

        /// <inheritdoc />
        public void Dispose() => _reports.Dispose();

        /// <summary>One read, tried until it succeeds (an answer cut short throws a transient GraphException, and is tried again).</summary>
        private async Task<T> ReadAsync<T>(string url, GraphReadTally? tally, Func<CancellationToken, Task<T>> read, CancellationToken cancellationToken)
        {
            bool report = IsReport(url);
            int attempts = 0;
            while (true)
            {
                attempts++;
                IDisposable? place = null;
                try
                {
                    if (report)
                    {
                        // The gate admits the read; the wait is the pace of the limit, not a failure.
                        DateTimeOffset asked = DateTimeOffset.UtcNow;
                        place = await _reports.EnterAsync(cancellationToken).ConfigureAwait(false);
                        if (tally is not null)
                        {
                            tally.WaitedForLimit += DateTimeOffset.UtcNow - asked;
                        }
                    }

                    if (tally is not null)
                    {
                        tally.Calls++;
                    }

                    try
                    {
                        return await read(cancellationToken).ConfigureAwait(false);
                    }
                    finally
                    {
                        place?.Dispose();
                    }
                }
                catch (GraphException ex) when (ex.IsTransient && !cancellationToken.IsCancellationRequested)
                {
                    if (attempts >= _options.MaxAttempts)
                    {
                        throw new GraphException($"{ex.Message} Gave up after {attempts} attempt(s).", ex.Status, ex.Code, ex.RequestId, ex.ClientRequestId, ex.RetryAfter, ex);
                    }

                    TimeSpan delay = _backoff.Next(attempts, ex.RetryAfter);
                    if (report && ex.Status == (HttpStatusCode)429)
                    {
                        // The limit is per app and tenant: every read of the session waits, not just this one.
                        _reports.HoldFor(delay);
                    }

                    if (tally is not null)
                    {
                        tally.Retries++;
                        tally.Throttled += ex.Status == (HttpStatusCode)429 ? 1 : 0;
                        tally.WaitedForRetries += delay;
                        tally.Retrying?.Invoke(ex, delay);
                    }

                    await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                }
            }
        }
    }
}
