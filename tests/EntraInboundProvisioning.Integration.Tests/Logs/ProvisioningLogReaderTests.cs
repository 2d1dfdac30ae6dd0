using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Graph;
using EntraInboundProvisioning.GraphEmulator;
using EntraInboundProvisioning.Logs;
using EntraInboundProvisioning.State;
using Xunit;
using static EntraInboundProvisioning.IntegrationTests.EmulatorRules.ProvisioningLogEndpointTests;

namespace EntraInboundProvisioning.IntegrationTests.Logs
{
    /// <summary>
    /// The log reader against the emulator with its reports limit on: cycles over several pages, early stop, paced reads,
    /// faulted reads retried with every entry once, groups of records, waiting for outcomes with incremental reads.
    /// </summary>
    public sealed class ProvisioningLogReaderTests : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("eip-logs-").FullName;

        public void Dispose() => Directory.Delete(_directory, true);

        private static async Task SendAsync(ProvisioningApi api, IntegrationTests.Emulator emulator, params (string Id, string? UserName, bool? Active, string? Title)[] users)
            => await api.BulkUploadAsync(emulator.State.DefaultServicePrincipalId, emulator.State.DefaultJobId, EmulatorRules.GraphEmulatorTests.Bulk(users), Guid.NewGuid().ToString(), CancellationToken.None);

        private static async Task<(List<ProvisioningLogEntry> Entries, IReadOnlyList<ProvisioningCycle> Cycles)> ReadCycles(ProvisioningLogReader reader, ProvisioningLogQuery query, int cycles)
        {
            var read = new RecentCycles(reader, query, cycles);
            var entries = new List<ProvisioningLogEntry>();
            IReadOnlyList<ProvisioningCycle> found = Array.Empty<ProvisioningCycle>();
            while (await read.NextAsync(CancellationToken.None) is RecentCyclesStep step)
            {
                entries.AddRange(step.Entries);
                found = step.Cycles.Count > 0 ? step.Cycles : found;
            }

            return (entries, found);
        }

        [Fact]
        public async Task FindsRecentCyclesAcrossPagesAndStopsOnceAnOlderCycleBegins()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync(IntegrationTests.Emulator.FastReports());
            ProvisioningApi api = emulator.SecretSession(reads: IntegrationTests.Emulator.FastReads());
            string job = emulator.State.DefaultJobId;
            for (int cycle = 0; cycle < 4; cycle++)
            {
                await SendAsync(api, emulator, Enumerable.Range(0, 5).Select(i => ($"C{cycle}-{i}", (string?)$"c{cycle}{i}@contoso.com", (bool?)true, (string?)null)).ToArray());
                emulator.State.RunCycle(job);
            }

            var reader = new ProvisioningLogReader(api);
            (List<ProvisioningLogEntry> entries, IReadOnlyList<ProvisioningCycle> cycles) = await ReadCycles(reader, new ProvisioningLogQuery { JobId = job, PageSize = 3 }, 2);
            Assert.Equal(2, cycles.Count);
            Assert.All(cycles, c => Assert.Equal(5, c.Changes));
            Assert.Equal(new[] { "C3-4", "C2-4" }, entries.Where((e, i) => i % 5 == 0).Select(e => e.ExternalId));
            Assert.True(cycles[0].Start > cycles[1].End);
            Assert.All(entries, e => Assert.Equal(string.Empty, e.RawJson));

            // 10 entries of two cycles plus the first of the third: 4 pages of 3, not all 7.
            Assert.Equal(4, reader.PagesRead);

            var all = new ProvisioningLogReader(api, keepRawJson: true);
            IReadOnlyList<ProvisioningLogEntry> everything = await all.EntriesAsync(new ProvisioningLogQuery { JobId = job, PageSize = 3 }, CancellationToken.None);
            Assert.Equal(20, everything.Count);
            Assert.All(everything, e => Assert.Contains(e.Id, e.RawJson));
            Assert.Equal(7, all.PagesRead);
        }

        [Fact]
        public async Task LearnsHowFarTheServicesClockIsFromTheDateHeaderOfItsAnswers()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync(IntegrationTests.Emulator.FastReports());
            ProvisioningApi api = emulator.SecretSession(reads: IntegrationTests.Emulator.FastReads());
            var reader = new ProvisioningLogReader(api);
            Assert.Null(reader.ServerClockOffset!());
            await SendAsync(api, emulator, ("K1", "k1@contoso.com", true, null));

            // The emulator shares this machine's clock; the Date header counts whole seconds, so the offset is up to one short.
            TimeSpan offset = reader.ServerClockOffset!() ?? throw new InvalidOperationException("no offset after an answer");
            Assert.InRange(offset.TotalSeconds, -1.5, 0.1);
        }

        [Fact]
        public async Task FiltersByStatusActionAndRecord()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync(IntegrationTests.Emulator.FastReports());
            ProvisioningApi api = emulator.SecretSession(reads: IntegrationTests.Emulator.FastReads());
            string job = emulator.State.DefaultJobId;
            await SendAsync(api, emulator, ("1", "one@contoso.com", true, null), ("2", "not valid", true, null), ("3", "three@contoso.com", false, null));
            emulator.State.RunCycle(job);
            var reader = new ProvisioningLogReader(api);
            ProvisioningLogEntry failure = Assert.Single(await reader.EntriesAsync(new ProvisioningLogQuery { JobId = job, Status = ProvisioningStatus.Failure }, CancellationToken.None));
            Assert.Equal("2", failure.ExternalId);
            Assert.Equal("AzureActiveDirectoryInvalidUserPrincipalName", failure.ErrorCode);
            Assert.Equal(3, (await reader.EntriesAsync(new ProvisioningLogQuery { JobId = job, Action = ProvisioningAction.Create }, CancellationToken.None)).Count);
            Assert.Equal("3", Assert.Single(await reader.EntriesAsync(new ProvisioningLogQuery { JobId = job, ExternalId = "3" }, CancellationToken.None)).ExternalId);
            Assert.Empty(await reader.EntriesAsync(new ProvisioningLogQuery { JobId = job, Since = DateTimeOffset.UtcNow.AddMinutes(1) }, CancellationToken.None));

            // Since and Until are inclusive, although only gt and lt go to the server.
            IReadOnlyList<ProvisioningLogEntry> three = await reader.EntriesAsync(new ProvisioningLogQuery { JobId = job }, CancellationToken.None);
            DateTimeOffset middle = three[1].ActivityDateTime;
            Assert.Equal(new[] { three[1].Id }, (await reader.EntriesAsync(new ProvisioningLogQuery { JobId = job, Since = middle, Until = middle }, CancellationToken.None)).Select(e => e.Id));
        }

        [Fact]
        public async Task ReadsArePacedUnderTheReportsLimitAndAThrottledReadWaitsItsRetryAfter()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync(IntegrationTests.Emulator.FastReports(pageLimit: 100));
            Cycle(emulator, 2000);
            string job = emulator.State.DefaultJobId;

            // Paced: 20 pages, never over the limit.
            var paced = new ProvisioningLogReader(emulator.SecretSession(reads: IntegrationTests.Emulator.FastReads()));
            IReadOnlyList<ProvisioningLogEntry> entries = await paced.EntriesAsync(new ProvisioningLogQuery { JobId = job }, CancellationToken.None);
            Assert.Equal(2000, entries.Select(e => e.Id).Distinct().Count());
            Assert.Equal(20, paced.PagesRead);
            Assert.Equal(0, emulator.State.LogReadsThrottled);
            Assert.Equal(0, paced.Tally.Retries);
            Assert.True(paced.Tally.WaitedForLimit > TimeSpan.Zero, "20 reads at 5 per window wait for the limit");

            // A session that does not pace is throttled, and still reads every entry once by waiting as told.
            var unpaced = new GraphReadOptions { ReportsCallsPerWindow = 1000, RetryBaseDelay = TimeSpan.FromMilliseconds(20), JitterSeed = 1 };
            var eager = new ProvisioningLogReader(emulator.SecretSession(reads: unpaced));
            IReadOnlyList<ProvisioningLogEntry> again = await eager.EntriesAsync(new ProvisioningLogQuery { JobId = job }, CancellationToken.None);
            Assert.Equal(entries.Select(e => e.Id), again.Select(e => e.Id));
            Assert.True(emulator.State.LogReadsThrottled > 0);
            Assert.Equal(emulator.State.LogReadsThrottled, eager.Tally.Throttled);
            Assert.True(eager.Tally.WaitedForRetries >= TimeSpan.FromSeconds(eager.Tally.Throttled), "each 429 waits its Retry-After of at least a second");
        }

        [Fact]
        public async Task WithAFifthOfReadsFaultedEveryFormReturnsEveryEntryOnceAndTheStateLearnsThemAll()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync(IntegrationTests.Emulator.FastReports(seed: 5, pageLimit: 50));
            DateTimeOffset accepted = DateTimeOffset.UtcNow.AddSeconds(-2);
            string statePath = Path.Combine(_directory, "s.state");
            using (RunState state = RunState.Acquire(statePath, Guid.NewGuid()))
            {
                for (int start = 0; start < 600; start += 50)
                {
                    state.RecordAccepted(EmulatorRules.GraphEmulatorTests.Bulk(Enumerable.Range(start, 50).Select(i => $"R{i}").ToArray()), accepted);
                }

                state.Commit();
            }

            Cycle(emulator, 600, upn: i => i % 20 == 7 ? "not a upn" : $"r{i}@contoso.com");
            emulator.State.LogFaults = new FaultPlan { Throttle429 = 0.05, Error503 = 0.05, DropBeforeAccept = 0.05, DropAfterAccept = 0.05 };
            ProvisioningApi api = emulator.SecretSession(reads: IntegrationTests.Emulator.FastReads(maxAttempts: 12));
            string job = emulator.State.DefaultJobId;

            var cyclesReader = new ProvisioningLogReader(api);
            (List<ProvisioningLogEntry> detail, IReadOnlyList<ProvisioningCycle> cycles) = await ReadCycles(cyclesReader, new ProvisioningLogQuery { JobId = job }, 1);
            Assert.Equal(600, detail.Select(e => e.Id).Distinct().Count());
            Assert.Equal(600, detail.Count);
            Assert.Equal(600, Assert.Single(cycles).Changes);
            Assert.Equal(30, cycles[0].Failed);

            var failures = new ProvisioningLogReader(api);
            Assert.Equal(30, (await failures.EntriesAsync(new ProvisioningLogQuery { JobId = job, Status = ProvisioningStatus.Failure }, CancellationToken.None)).Count);

            var waiter = new ProvisioningLogReader(api);
            LogWaitResult waited = await waiter.WaitForOutcomesAsync(job, Enumerable.Range(0, 600).Select(i => $"R{i}").ToArray(), accepted.AddMinutes(-1), TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(2), null, CancellationToken.None);
            Assert.Empty(waited.Missing);
            Assert.Equal(600, waited.Outcomes.Select(o => o.ExternalId).Distinct().Count());

            using (RunState state = RunState.Acquire(statePath, Guid.NewGuid()))
            {
                var learner = new OutcomeLearner(state);
                foreach (ProvisioningLogEntry entry in detail)
                {
                    learner.Learn(entry);
                }

                Assert.Equal(600, learner.Learned);
                Assert.Equal(30, state.PendingRetries);
                Assert.Empty(learner.AwaitingOutcome(accepted.AddMinutes(-1)));
            }

            // The HTTP stack itself resends a GET once when a reused connection drops before any answer, so the reader
            // meets at most as many faults as the emulator injected.
            int retried = cyclesReader.Tally.Retries + failures.Tally.Retries + waiter.Tally.Retries;
            Assert.InRange(retried, 1, emulator.State.LogReadsFaulted);
        }

        [Fact]
        public async Task AReadWhoseRetriesAreSpentFailsSayingSo()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync(IntegrationTests.Emulator.FastReports());
            Cycle(emulator, 10);
            emulator.State.LogFaults = new FaultPlan { Error503 = 1 };
            var reader = new ProvisioningLogReader(emulator.SecretSession(reads: IntegrationTests.Emulator.FastReads(maxAttempts: 3)));
            GraphException error = await Assert.ThrowsAsync<GraphException>(() => reader.EntriesAsync(new ProvisioningLogQuery { JobId = emulator.State.DefaultJobId }, CancellationToken.None));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, error.Status);
            Assert.Contains("Gave up after 3 attempt(s)", error.Message);
            Assert.Equal(3, reader.Tally.Calls);
            Assert.Equal(0, reader.PagesRead);

            // A 4xx other than 429 is the request's fault, and never retried: here ge, which activityDateTime does not document.
            emulator.State.LogFaults = new FaultPlan();
            var tally = new GraphReadTally();
            string ge = "auditLogs/provisioning?$filter=" + Uri.EscapeDataString($"jobId eq '{emulator.State.DefaultJobId}' and activityDateTime ge 2026-01-01T00:00:00Z");
            GraphException refused = await Assert.ThrowsAsync<GraphException>(() => emulator.SecretSession(reads: IntegrationTests.Emulator.FastReads()).GetLogPageAsync(ge, false, tally, CancellationToken.None));
            Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
            Assert.Equal((1, 0), (tally.Calls, tally.Retries));
        }

        [Fact]
        public async Task ManyRecordsAreReadAsGroupsThatCostFarFewerReadsThanTheCycle()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync(IntegrationTests.Emulator.FastReports(pageLimit: 100));
            Cycle(emulator, 3000, prefix: "OLD");
            string recent = Cycle(emulator, 6000);
            string job = emulator.State.DefaultJobId;
            ProvisioningApi api = emulator.SecretSession(reads: IntegrationTests.Emulator.FastReads());
            string[] wanted = Enumerable.Range(0, 300).Select(i => $"R{i * 17}").Concat(new[] { "OLD5", "NOBODY" }).ToArray();

            var reader = new ProvisioningLogReader(api);
            var query = new ProvisioningLogQuery { JobId = job, ExternalIds = wanted };
            (List<ProvisioningLogEntry> entries, IReadOnlyList<ProvisioningCycle> cycles) = await ReadCycles(reader, query, 1);
            Assert.Equal(300, entries.Count);
            Assert.Equal(wanted.Take(300).OrderBy(x => x, StringComparer.Ordinal), entries.Select(e => e.ExternalId).OrderBy(x => x, StringComparer.Ordinal));
            Assert.Equal(recent, Assert.Single(cycles).CycleId);
            Assert.Equal(300, cycles[0].Users);
            int groups = query.Split().Count;
            Assert.True(groups > 1);
            Assert.True(reader.PagesRead <= groups * 4, $"{reader.PagesRead} reads for {groups} groups");
            Assert.True(reader.PagesRead * 5 < 60, $"{reader.PagesRead} reads, against 60 pages for the cycle");

            // Two cycles: the old cycle's entry of OLD5 comes too, newest first.
            (List<ProvisioningLogEntry> both, IReadOnlyList<ProvisioningCycle> two) = await ReadCycles(new ProvisioningLogReader(api), query, 2);
            Assert.Equal(301, both.Count);
            Assert.Equal("OLD5", both[^1].ExternalId);
            Assert.Equal(2, two.Count);
        }

        [Fact]
        public async Task WaitReturnsOnceEveryRecordHasAnOutcomeReadingOnlyWhatIsNew()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync(IntegrationTests.Emulator.FastReports(pageLimit: 100));
            ProvisioningApi api = emulator.SecretSession(reads: IntegrationTests.Emulator.FastReads());
            string job = emulator.State.DefaultJobId;
            Cycle(emulator, 1000, prefix: "EARLIER");
            DateTimeOffset since = DateTimeOffset.UtcNow.AddMinutes(-1);
            await SendAsync(api, emulator, ("W1", "w1@contoso.com", true, null), ("W2", "w2@contoso.com", true, null));
            _ = Task.Delay(1500).ContinueWith(_ => emulator.State.RunCycle(job), TaskScheduler.Default);
            var reader = new ProvisioningLogReader(api);
            LogWaitResult done = await reader.WaitForOutcomesAsync(job, new[] { "W1", "W2" }, since, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(30), null, CancellationToken.None, overlap: TimeSpan.FromMilliseconds(1));
            Assert.Empty(done.Missing);
            Assert.Equal(new[] { "W1", "W2" }, done.Outcomes.Select(o => o.ExternalId));
            Assert.True(done.Polls > 1);

            // The first read took the 1,000 earlier entries (10 pages); each later read only what came after them (with an
            // overlap of a millisecond here; the default overlap reads the last 30 seconds again, each entry counted once).
            Assert.True(reader.PagesRead <= 10 + done.Polls + 1, $"{reader.PagesRead} pages in {done.Polls} polls");

            // The timeout counts the reading too (as -Timeout does): long enough here for the first read's 11 pages on a
            // loaded machine, then it ends the wait for the record that never comes.
            LogWaitResult partial = await new ProvisioningLogReader(api).WaitForOutcomesAsync(job, new[] { "W1", "NEVER" }, since, TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(5), null, CancellationToken.None);
            Assert.Equal(new[] { "NEVER" }, partial.Missing);
            Assert.Equal("W1", Assert.Single(partial.Outcomes).ExternalId);
        }
    }
}
