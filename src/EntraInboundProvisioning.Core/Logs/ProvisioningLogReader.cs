using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Graph;

namespace EntraInboundProvisioning.Logs
{
    /// <summary>
    /// Reads provisioning logs through a page source (GET /auditLogs/provisioning and its @odata.nextLink pages, paced and
    /// retried by the session's <see cref="PacedReader"/>): a page at a time through a <see cref="LogCursor"/>, recent
    /// cycles through <see cref="RecentCycles"/>, outcomes of given records through <see cref="OutcomeWait"/>. It counts
    /// pages and entries; <see cref="Tally"/> counts calls, retries and the time waited for the reports limit.
    /// </summary>
    public sealed class ProvisioningLogReader
    {
        private readonly Func<string, CancellationToken, Task<ProvisioningLogPage>> _page;

        /// <summary>Creates a reader over a page source: first a query's relative URL, then each next link.</summary>
        public ProvisioningLogReader(Func<string, CancellationToken, Task<ProvisioningLogPage>> page) => _page = page;

        /// <summary>Creates a reader of the session's logs; entries keep their raw JSON only when asked.</summary>
        public ProvisioningLogReader(ProvisioningApi api, bool keepRawJson = false)
        {
            _page = (url, ct) => api.GetLogPageAsync(url, keepRawJson, Tally, ct);
            ServerClockOffset = () => api.Graph.ServerClockOffset;
        }

        /// <summary>How far the service's clock is ahead of this machine's, when known (null for a page source without one).</summary>
        public Func<TimeSpan?>? ServerClockOffset { get; }

        /// <summary>What the reads cost (filled when the reader reads the session's logs).</summary>
        public GraphReadTally Tally { get; } = new GraphReadTally();

        /// <summary>Pages read so far.</summary>
        public int PagesRead { get; private set; }

        /// <summary>Entries those pages held.</summary>
        public long EntriesRead { get; private set; }

        /// <summary>A cursor over the query's pages (over each of its groups in turn).</summary>
        public LogCursor Open(ProvisioningLogQuery query) => new LogCursor(this, query.Split());

        /// <summary>The <paramref name="cycles"/> most recent cycles matching the query, newest first, with their statistics.</summary>
        public async Task<IReadOnlyList<ProvisioningCycle>> RecentCyclesAsync(ProvisioningLogQuery query, int cycles, CancellationToken cancellationToken)
        {
            var read = new RecentCycles(this, query, cycles);
            IReadOnlyList<ProvisioningCycle> found = Array.Empty<ProvisioningCycle>();
            while (await read.NextAsync(cancellationToken).ConfigureAwait(false) is RecentCyclesStep step)
            {
                found = step.Cycles.Count > 0 ? step.Cycles : found;
            }

            return found;
        }

        /// <summary>Every entry matching the query, in its order (holds them all: for small queries).</summary>
        public async Task<IReadOnlyList<ProvisioningLogEntry>> EntriesAsync(ProvisioningLogQuery query, CancellationToken cancellationToken)
        {
            var all = new List<ProvisioningLogEntry>();
            LogCursor cursor = Open(query);
            while (await cursor.NextPageAsync(cancellationToken).ConfigureAwait(false) is IReadOnlyList<ProvisioningLogEntry> page)
            {
                all.AddRange(page);
            }

            return all;
        }

        /// <summary>
        /// Polls the job's logs from <paramref name="since"/> until every record in <paramref name="externalIds"/> has an
        /// outcome, or <paramref name="timeout"/> passes; each poll reads only what is new (<see cref="OutcomeWatch"/>).
        /// Returns each record's outcome and the ones missing.
        /// </summary>
        /// <param name="jobId">The job.</param>
        /// <param name="externalIds">The records to wait for.</param>
        /// <param name="since">Where to start reading the logs.</param>
        /// <param name="pollInterval">How long to wait between reads.</param>
        /// <param name="timeout">How long to wait.</param>
        /// <param name="progress">Found and wanted counts after each page.</param>
        /// <param name="cancellationToken">Stops waiting.</param>
        /// <param name="notBefore">
        /// Per record, the earliest entry that counts: an entry older than the upload it should answer (a run of a few
        /// minutes ago) is not that upload's outcome.
        /// </param>
        /// <param name="overlap">How far before the newest entry seen each later read starts (<see cref="OutcomeWatch.DefaultOverlap"/>).</param>
        public async Task<LogWaitResult> WaitForOutcomesAsync(string jobId, IReadOnlyCollection<string> externalIds, DateTimeOffset since, TimeSpan pollInterval, TimeSpan timeout, IProgress<(int Found, int Wanted)>? progress, CancellationToken cancellationToken, IReadOnlyDictionary<string, DateTimeOffset>? notBefore = null, TimeSpan? overlap = null)
        {
            var watch = new OutcomeWatch(jobId, externalIds.Select(id => new KeyValuePair<string, DateTimeOffset>(id, notBefore is not null && notBefore.TryGetValue(id, out DateTimeOffset earliest) ? earliest : DateTimeOffset.MinValue)), since, overlap)
            {
                ServerClockOffset = ServerClockOffset,
            };
            var outcomes = new List<ProvisioningLogEntry>();
            var wait = new OutcomeWait(this, watch, pollInterval, timeout);
            while (await wait.NextAsync(cancellationToken).ConfigureAwait(false) is OutcomeWaitStep step)
            {
                outcomes.AddRange(step.Outcomes);
                progress?.Report((watch.Found, watch.Wanted));
            }

            return new LogWaitResult(outcomes, watch.Missing, wait.Polls);
        }

        /// <summary>Reads one page and counts it.</summary>
        internal async Task<ProvisioningLogPage> ReadPageAsync(string url, CancellationToken cancellationToken)
        {
            ProvisioningLogPage page = await _page(url, cancellationToken).ConfigureAwait(false);
            PagesRead++;
            EntriesRead += page.Entries.Count;
            return page;
        }
    }
}
