using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace EntraInboundProvisioning.Logs
{
    /// <summary>
    /// Reads provisioning logs through a page source (GET /auditLogs/provisioning and its @odata.nextLink pages):
    /// recent cycles in one ordered pass, all entries of a query, or a wait for given records' outcomes.
    /// </summary>
    public sealed class ProvisioningLogReader
    {
        private readonly Func<string, CancellationToken, Task<(IReadOnlyList<ProvisioningLogEntry> Entries, string? NextLink)>> _page;

        /// <summary>Creates a reader over a page source: first the query's relative URL, then each next link.</summary>
        public ProvisioningLogReader(Func<string, CancellationToken, Task<(IReadOnlyList<ProvisioningLogEntry> Entries, string? NextLink)>> page) => _page = page;

        /// <summary>Pages read so far (for tests and verbose output).</summary>
        public int PagesRead { get; private set; }

        /// <summary>The <paramref name="cycles"/> most recent cycles matching the query, newest first.</summary>
        public async Task<IReadOnlyList<ProvisioningCycle>> RecentCyclesAsync(ProvisioningLogQuery query, int cycles, CancellationToken cancellationToken)
        {
            var collector = new CycleCollector(cycles);
            string? url = query.ToRelativeUrl();
            while (url is not null)
            {
                (IReadOnlyList<ProvisioningLogEntry> entries, string? next) = await _page(url, cancellationToken).ConfigureAwait(false);
                PagesRead++;
                if (collector.Add(entries))
                {
                    break;
                }

                url = next;
            }

            return collector.Cycles();
        }

        /// <summary>Every entry matching the query, newest first.</summary>
        public async Task<IReadOnlyList<ProvisioningLogEntry>> EntriesAsync(ProvisioningLogQuery query, CancellationToken cancellationToken)
        {
            var all = new List<ProvisioningLogEntry>();
            string? url = query.ToRelativeUrl();
            while (url is not null)
            {
                (IReadOnlyList<ProvisioningLogEntry> entries, string? next) = await _page(url, cancellationToken).ConfigureAwait(false);
                PagesRead++;
                all.AddRange(entries);
                url = next;
            }

            return all;
        }

        /// <summary>
        /// Polls the job's logs since <paramref name="since"/> until every record in <paramref name="externalIds"/>
        /// has an entry, or <paramref name="timeout"/> passes; returns each record's latest entry and the ones missing.
        /// </summary>
        /// <param name="jobId">The job.</param>
        /// <param name="externalIds">The records to wait for.</param>
        /// <param name="since">Where to start reading the logs.</param>
        /// <param name="pollInterval">How often to read them.</param>
        /// <param name="timeout">How long to wait.</param>
        /// <param name="progress">Found and wanted counts after each read.</param>
        /// <param name="cancellationToken">Stops waiting.</param>
        /// <param name="notBefore">
        /// Per record, the earliest entry that counts: an entry older than the upload it should answer (a run of a few
        /// minutes ago) is not that upload's outcome.
        /// </param>
        public async Task<LogWaitResult> WaitForOutcomesAsync(string jobId, IReadOnlyCollection<string> externalIds, DateTimeOffset since, TimeSpan pollInterval, TimeSpan timeout, IProgress<(int Found, int Wanted)>? progress, CancellationToken cancellationToken, IReadOnlyDictionary<string, DateTimeOffset>? notBefore = null)
        {
            var wanted = new HashSet<string>(externalIds, StringComparer.OrdinalIgnoreCase);
            var latest = new Dictionary<string, ProvisioningLogEntry>(StringComparer.OrdinalIgnoreCase);
            DateTimeOffset deadline = DateTimeOffset.UtcNow + timeout;
            int polls = 0;
            while (true)
            {
                polls++;
                IReadOnlyList<ProvisioningLogEntry> entries = await EntriesAsync(new ProvisioningLogQuery { JobId = jobId, Since = since }, cancellationToken).ConfigureAwait(false);
                foreach (ProvisioningLogEntry entry in entries)
                {
                    bool current = notBefore is null || !notBefore.TryGetValue(entry.ExternalId, out DateTimeOffset earliest) || entry.ActivityDateTime >= earliest;
                    if (current && wanted.Contains(entry.ExternalId) && (!latest.TryGetValue(entry.ExternalId, out ProvisioningLogEntry? seen) || entry.ActivityDateTime > seen.ActivityDateTime))
                    {
                        latest[entry.ExternalId] = entry;
                    }
                }

                progress?.Report((latest.Count, wanted.Count));
                if (latest.Count == wanted.Count || DateTimeOffset.UtcNow + pollInterval > deadline)
                {
                    break;
                }

                await Task.Delay(pollInterval, cancellationToken).ConfigureAwait(false);
            }

            return new LogWaitResult(
                latest.Values.OrderBy(e => e.ActivityDateTime).ToArray(),
                externalIds.Where(id => !latest.ContainsKey(id)).Distinct(StringComparer.OrdinalIgnoreCase).ToArray(),
                polls);
        }
    }
}
