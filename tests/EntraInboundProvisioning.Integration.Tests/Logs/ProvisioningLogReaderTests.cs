using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Graph;
using EntraInboundProvisioning.Logs;
using Xunit;

namespace EntraInboundProvisioning.IntegrationTests.Logs
{
    /// <summary>The log reader against the emulator's engine: cycles over several pages, early stop, waiting for outcomes.</summary>
    public class ProvisioningLogReaderTests
    {
        private static async Task SendAsync(ProvisioningApi api, IntegrationTests.Emulator emulator, params (string Id, string? UserName, bool? Active, string? Title)[] users)
            => await api.BulkUploadAsync(emulator.State.DefaultServicePrincipalId, emulator.State.DefaultJobId, EmulatorRules.GraphEmulatorTests.Bulk(users), Guid.NewGuid().ToString(), CancellationToken.None);

        [Fact]
        public async Task FindsRecentCyclesAcrossPagesAndStopsOnceAnOlderCycleBegins()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            ProvisioningApi api = emulator.SecretSession();
            string job = emulator.State.DefaultJobId;
            for (int cycle = 0; cycle < 4; cycle++)
            {
                await SendAsync(api, emulator, Enumerable.Range(0, 5).Select(i => ($"C{cycle}-{i}", (string?)$"c{cycle}{i}@contoso.com", (bool?)true, (string?)null)).ToArray());
                emulator.State.RunCycle(job);
            }

            var reader = new ProvisioningLogReader(api.GetLogPageAsync);
            IReadOnlyList<ProvisioningCycle> cycles = await reader.RecentCyclesAsync(new ProvisioningLogQuery { JobId = job, PageSize = 3 }, 2, CancellationToken.None);
            Assert.Equal(2, cycles.Count);
            Assert.All(cycles, c => Assert.Equal(5, c.Changes));
            Assert.Equal(new[] { "C3-4", "C2-4" }, cycles.Select(c => c.Entries[0].ExternalId));
            Assert.True(cycles[0].Start > cycles[1].End);
            // 10 entries of two cycles plus the first of the third: 4 pages of 3, not all 7.
            Assert.Equal(4, reader.PagesRead);

            var all = new ProvisioningLogReader(api.GetLogPageAsync);
            Assert.Equal(20, (await all.EntriesAsync(new ProvisioningLogQuery { JobId = job, PageSize = 3 }, CancellationToken.None)).Count);
            Assert.Equal(7, all.PagesRead);
        }

        [Fact]
        public async Task FiltersByStatusActionAndRecord()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            ProvisioningApi api = emulator.SecretSession();
            string job = emulator.State.DefaultJobId;
            await SendAsync(api, emulator, ("1", "one@contoso.com", true, null), ("2", "not valid", true, null), ("3", "three@contoso.com", false, null));
            emulator.State.RunCycle(job);
            var reader = new ProvisioningLogReader(api.GetLogPageAsync);
            ProvisioningLogEntry failure = Assert.Single(await reader.EntriesAsync(new ProvisioningLogQuery { JobId = job, Status = ProvisioningStatus.Failure }, CancellationToken.None));
            Assert.Equal("2", failure.ExternalId);
            Assert.Equal("AzureActiveDirectoryInvalidUserPrincipalName", failure.ErrorCode);
            Assert.Equal(3, (await reader.EntriesAsync(new ProvisioningLogQuery { JobId = job, Action = ProvisioningAction.Create }, CancellationToken.None)).Count);
            Assert.Equal("3", Assert.Single(await reader.EntriesAsync(new ProvisioningLogQuery { JobId = job, ExternalId = "3" }, CancellationToken.None)).ExternalId);
            Assert.Empty(await reader.EntriesAsync(new ProvisioningLogQuery { JobId = job, Since = DateTimeOffset.UtcNow.AddMinutes(1) }, CancellationToken.None));
        }

        [Fact]
        public async Task WaitReturnsOnceEveryRecordHasAnOutcomeAndNamesTheMissingOnTimeout()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            ProvisioningApi api = emulator.SecretSession();
            string job = emulator.State.DefaultJobId;
            DateTimeOffset since = DateTimeOffset.UtcNow.AddMinutes(-1);
            await SendAsync(api, emulator, ("W1", "w1@contoso.com", true, null), ("W2", "w2@contoso.com", true, null));
            _ = Task.Delay(1500).ContinueWith(_ => emulator.State.RunCycle(job), TaskScheduler.Default);
            var reader = new ProvisioningLogReader(api.GetLogPageAsync);
            LogWaitResult done = await reader.WaitForOutcomesAsync(job, new[] { "W1", "W2" }, since, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(30), null, CancellationToken.None);
            Assert.Empty(done.Missing);
            Assert.Equal(new[] { "W1", "W2" }, done.Outcomes.Select(o => o.ExternalId));
            Assert.True(done.Polls > 1);

            LogWaitResult partial = await reader.WaitForOutcomesAsync(job, new[] { "W1", "NEVER" }, since, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), null, CancellationToken.None);
            Assert.Equal(new[] { "NEVER" }, partial.Missing);
            Assert.Equal("W1", Assert.Single(partial.Outcomes).ExternalId);
        }
    }
}
