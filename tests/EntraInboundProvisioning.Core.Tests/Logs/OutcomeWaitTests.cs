using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Logs;
using Xunit;

namespace EntraInboundProvisioning.Tests.Logs
{
    public class OutcomeWaitTests
    {
        /// <summary>A log that grows between reads, served as two pages: the first half, then the rest by next link.</summary>
        private sealed class GrowingLog
        {
            public List<ProvisioningLogEntry> Entries { get; } = new List<ProvisioningLogEntry>();

            public List<string> Urls { get; } = new List<string>();

            public ProvisioningLogReader Reader() => new ProvisioningLogReader((url, ct) =>
            {
                Urls.Add(url);
                int half = Entries.Count / 2;
                return Task.FromResult(url == "next"
                    ? new ProvisioningLogPage(Entries.Skip(half).ToList(), null)
                    : new ProvisioningLogPage(Entries.Take(half).ToList(), "next"));
            });
        }

        private static OutcomeWatch Watch(params string[] ids)
            => new OutcomeWatch("API2AAD.job", ids.Select(id => new KeyValuePair<string, DateTimeOffset>(id, DateTimeOffset.MinValue)), new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero));

        [Fact]
        public async Task GivesEachOutcomeOncePausesBetweenReadsAndEndsWhenEveryRecordHasOne()
        {
            var log = new GrowingLog();
            log.Entries.Add(ProvisioningLogTests.Entry("c1", 1, "0", "update", "success"));
            log.Entries.Add(ProvisioningLogTests.Entry("c1", 2, "1", "create", "success"));
            var wait = new OutcomeWait(log.Reader(), Watch("1", "2"), TimeSpan.FromMilliseconds(50), TimeSpan.FromSeconds(30));

            var steps = new List<OutcomeWaitStep>();
            while (steps.Count < 10 && await wait.NextAsync(CancellationToken.None) is OutcomeWaitStep step)
            {
                steps.Add(step);
                if (step.NextReadIn is not null && log.Entries.Count == 2)
                {
                    // The next cycle writes the second record's outcome while the wait pauses.
                    log.Entries.Add(ProvisioningLogTests.Entry("c2", 40, "2", "create", "failure", "AzureActiveDirectoryInvalidUserPrincipalName"));
                }
            }

            // Read 1: two pages (worker 0 is not wanted; worker 1 is), then a pause; read 2: worker 1 again (not twice), then 2.
            Assert.Equal(new[] { "1", "2" }, steps.SelectMany(s => s.Outcomes).Select(e => e.ExternalId));
            Assert.Equal(new TimeSpan?[] { null, null, TimeSpan.FromMilliseconds(50), null, null }, steps.Select(s => s.NextReadIn));
            Assert.Equal(2, wait.Polls);
            Assert.True(wait.Watch.IsComplete);
            Assert.Null(await wait.NextAsync(CancellationToken.None));
            Assert.Equal(4, log.Urls.Count);
        }

        [Fact]
        public async Task EndsWhenTheNextReadWouldStartAfterTheTimeoutNamingWhatIsMissing()
        {
            var log = new GrowingLog();
            log.Entries.Add(ProvisioningLogTests.Entry("c1", 2, "1", "create", "success"));
            var wait = new OutcomeWait(log.Reader(), Watch("1", "never"), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(350));

            int pauses = 0;
            while (await wait.NextAsync(CancellationToken.None) is OutcomeWaitStep step)
            {
                pauses += step.NextReadIn is null ? 0 : 1;
                Assert.True(pauses < 10, "the wait did not end at its timeout");
            }

            Assert.InRange(wait.Polls, 2, 4);
            Assert.Equal(wait.Polls - 1, pauses);
            Assert.Equal(new[] { "never" }, wait.Watch.Missing);
            Assert.Null(await wait.NextAsync(CancellationToken.None));
        }

        [Fact]
        public async Task APauseEndsWhenTheWaitIsCancelled()
        {
            var log = new GrowingLog();
            var wait = new OutcomeWait(log.Reader(), Watch("never"), TimeSpan.FromMinutes(10), TimeSpan.FromHours(1));
            using var stop = new CancellationTokenSource();
            OutcomeWaitStep? pause = null;
            while (pause is null && await wait.NextAsync(stop.Token) is OutcomeWaitStep step)
            {
                pause = step.NextReadIn is null ? null : step;
            }

            Assert.Equal(TimeSpan.FromMinutes(10), pause!.NextReadIn);
            stop.CancelAfter(50);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => wait.NextAsync(stop.Token));
        }
    }
}
