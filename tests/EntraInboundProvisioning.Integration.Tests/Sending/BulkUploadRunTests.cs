using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Graph;
using EntraInboundProvisioning.GraphEmulator;
using EntraInboundProvisioning.IntegrationTests.EmulatorRules;
using EntraInboundProvisioning.Scim;
using EntraInboundProvisioning.Sending;
using EntraInboundProvisioning.State;
using Xunit;

namespace EntraInboundProvisioning.IntegrationTests.Sending
{
    /// <summary>A send run against the emulator: the day's budget, pausing and starting the job, the state and its run record.</summary>
    public sealed class BulkUploadRunTests : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("eip-sendrun-").FullName;

        public void Dispose() => Directory.Delete(_directory, true);

        private static BulkRequest Request(int index, params string[] externalIds) => BulkRequestReader.Parse(GraphEmulatorTests.Bulk(externalIds), index);

        private static IEnumerable<BulkRequest> Requests(int count) => Enumerable.Range(1, count).Select(i => Request(i, $"R{i}a", $"R{i}b"));

        private static BulkUploadRunOptions Options(int limit = 2000) => new BulkUploadRunOptions { DailyRequestLimit = limit, Window = TimeSpan.FromSeconds(1) };

        private static List<UploadEvent> PostAll(BulkUploadRun run, IEnumerable<BulkRequest> requests)
        {
            var events = new List<UploadEvent>();
            foreach (BulkRequest request in requests)
            {
                while (!run.TryPost(request, TimeSpan.FromMilliseconds(50)))
                {
                    events.AddRange(run.Drain());
                }

                events.AddRange(run.Drain());
            }

            return events;
        }

        [Fact]
        public async Task ARunRecordsWhatWasAcceptedAndSavesTheStateWithItsPlan()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            ProvisioningApi api = emulator.SecretSession();
            string path = Path.Combine(_directory, "job.state");
            using (RunState state = RunState.Acquire(path, Guid.NewGuid()))
            {
                state.RecordPlan(new ConversionSummary { StatePath = path, Joiners = 6, Requests = 3 });
                using BulkUploadRun run = await BulkUploadRun.StartAsync(api, emulator.State.DefaultServicePrincipalId, emulator.State.DefaultJobId, Options(), null, state, CancellationToken.None);
                List<UploadEvent> events = PostAll(run, Requests(3));
                events.AddRange(run.Finish());
                Assert.Equal(3, events.Count(e => e.Kind == UploadEventKind.Result && e.Result!.Status == BulkUploadStatus.Accepted));
                Assert.Contains(events, e => e.Kind == UploadEventKind.StateSaved);
                Assert.Equal((3, 6L), (run.Accepted, run.AcceptedRecords));
            }

            ProvisioningStateInfo info = ProvisioningStateReader.Read(path).State;
            Assert.Equal(6, info.Workers);
            Assert.Equal((3, 6L, 0), (info.LastRun!.Accepted, info.LastRun.AcceptedRecords, info.LastRun.NotAccepted));
            Assert.Equal(6, info.LastRun.Plan!.Joiners);
            Assert.Equal(emulator.State.DefaultJobId, info.JobId);
        }

        [Fact]
        public async Task TheDaysBudgetCountsJournaledCallsStopsOnceAndANewDayIsRefusedWhenItIsSpent()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            ProvisioningApi api = emulator.SecretSession();
            string journalPath = Path.Combine(_directory, "run.jsonl");
            using (UploadJournal journal = UploadJournal.Open(journalPath, out _))
            {
                using BulkUploadRun run = await BulkUploadRun.StartAsync(api, emulator.State.DefaultServicePrincipalId, emulator.State.DefaultJobId, Options(limit: 3), journal, null, CancellationToken.None);
                List<UploadEvent> events = PostAll(run, Requests(5));
                events.AddRange(run.Finish());
                Assert.Single(events, e => e.Kind == UploadEventKind.BudgetReached);
                Assert.Equal((3, 2), (run.Accepted, run.NotAccepted));
            }

            using UploadJournal spent = UploadJournal.Open(journalPath, out _);
            await Assert.ThrowsAsync<DailyRequestLimitReachedException>(() => BulkUploadRun.StartAsync(api, emulator.State.DefaultServicePrincipalId, emulator.State.DefaultJobId, Options(limit: 3), spent, null, CancellationToken.None));
            Assert.Equal(3, emulator.State.BulkUploadCalls(emulator.State.DefaultJobId));
        }

        [Fact]
        public async Task WithAStateTheDailyLimitCountsTheCallsOfEarlierRunsAndTheHistoryKeepsEachRun()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            ProvisioningApi api = emulator.SecretSession();
            string path = Path.Combine(_directory, "quota.state");
            int offset = 0;
            async Task<BulkUploadRun> Day(int requests)
            {
                using RunState state = RunState.Acquire(path, Guid.NewGuid());
                state.RecordPlan(new ConversionSummary { StatePath = path, Joiners = requests * 2, Requests = requests });
                BulkUploadRun run = await BulkUploadRun.StartAsync(api, emulator.State.DefaultServicePrincipalId, emulator.State.DefaultJobId, Options(limit: 5), null, state, CancellationToken.None);
                PostAll(run, Enumerable.Range(offset + 1, requests).Select(i => Request(i, $"Q{i}a", $"Q{i}b")));
                offset += requests;
                Assert.DoesNotContain(run.Finish(), e => e.Kind == UploadEventKind.JobNotStartedAgain);
                run.Dispose();
                return run;
            }

            // Three runs in a row, without a journal: 3 calls, then 2 (the limit), then none at all.
            Assert.Equal(3, (await Day(3)).Calls);
            BulkUploadRun second = await Day(3);
            Assert.Equal((2, 1), (second.Accepted, second.NotAccepted));
            DailyRequestLimitReachedException spent = await Assert.ThrowsAsync<DailyRequestLimitReachedException>(() => Day(1));
            Assert.Contains("made 5 calls in the last 24 hours", spent.Message);
            Assert.Equal(5, emulator.State.BulkUploadCalls(emulator.State.DefaultJobId));

            IReadOnlyList<RunRecord> history = ProvisioningStateReader.Read(path).State.History;
            Assert.Equal(new[] { 3, 2 }, history.Select(r => r.Calls));
            Assert.Equal(new[] { 6L, 6L }, history.Select(r => r.Joiners));
            Assert.Equal(new[] { false, true }, history.Select(r => r.Stopped));
        }

        [Fact]
        public async Task AnHourLongRetryAfterStopsTheRunInsteadOfSleepingThroughIt()
        {
            // The tenant's quota is spent by someone else: the service answers 429 with Retry-After of an hour.
            await using var emulator = await IntegrationTests.Emulator.StartAsync(new EmulatorOptions { DailyQuota = 2 });
            ProvisioningApi api = emulator.SecretSession();
            string path = Path.Combine(_directory, "wall.state");
            var clock = System.Diagnostics.Stopwatch.StartNew();
            List<UploadEvent> events;
            using (RunState state = RunState.Acquire(path, Guid.NewGuid()))
            {
                using BulkUploadRun run = await BulkUploadRun.StartAsync(api, emulator.State.DefaultServicePrincipalId, emulator.State.DefaultJobId, Options(), null, state, CancellationToken.None);
                events = PostAll(run, Requests(6));
                events.AddRange(run.Finish());
                Assert.Equal((2, 4), (run.Accepted, run.NotAccepted));
            }

            Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), $"The run took {clock.Elapsed}.");
            UploadEvent wall = Assert.Single(events, e => e.Kind == UploadEventKind.BudgetReached);
            Assert.Contains("60 minutes", wall.Message);
            Assert.Contains("quota is probably used up", wall.Message);
            Assert.All(events.Where(e => e.Result?.Status == BulkUploadStatus.NotSent), e => Assert.Contains("Retry-After", e.Result!.Error));
            Assert.True(ProvisioningStateReader.Read(path).State.LastRun!.Stopped);
        }

        [Fact]
        public async Task ARunThatPostsNothingWithoutAPlanCreatesNoStateAndBindsNoJob()
        {
            // What ConvertTo-ScimBulkRequest -WhatIf | Send-ScimBulkRequest -StatePath does: a dry run leaves no trace.
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            ProvisioningApi api = emulator.SecretSession();
            string path = Path.Combine(_directory, "dry.state");
            using (RunState state = RunState.Acquire(path, Guid.NewGuid()))
            {
                using BulkUploadRun run = await BulkUploadRun.StartAsync(api, emulator.State.DefaultServicePrincipalId, emulator.State.DefaultJobId, Options(), null, state, CancellationToken.None);
                Assert.False(run.TakePlan(new ConversionSummary { StatePath = path, WhatIf = true, Joiners = 4 }));
                Assert.DoesNotContain(run.Finish(), e => e.Kind == UploadEventKind.JobNotStartedAgain);
            }

            Assert.False(File.Exists(path));
        }

        [Fact]
        public async Task AStoppedRunLetsTheCallsInFlightFinishRecordsThemAndStartsThePausedJobAgain()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            ProvisioningApi api = emulator.SecretSession();
            emulator.State.Latency = TimeSpan.FromMilliseconds(300);
            string path = Path.Combine(_directory, "stopped.state");
            var options = Options();
            options.PauseJob = true;
            options.MaxConcurrency = 2;
            using (RunState state = RunState.Acquire(path, Guid.NewGuid()))
            {
                var run = await BulkUploadRun.StartAsync(api, emulator.State.DefaultServicePrincipalId, emulator.State.DefaultJobId, options, null, state, CancellationToken.None);
                Assert.Equal("Paused", emulator.State.JobStatus(emulator.State.DefaultJobId));
                PostAll(run, Requests(4));

                // An error stops the pipeline here: whatever was in flight is answered and recorded, nothing else goes.
                IReadOnlyList<UploadEvent> events = run.Abort();
                run.Dispose();
                Assert.Contains(events, e => e.Kind == UploadEventKind.StateSaved);
                Assert.Equal("Active", emulator.State.JobStatus(emulator.State.DefaultJobId));
            }

            int accepted = emulator.State.AcceptedCountByExternalId(emulator.State.DefaultJobId).Count;
            ProvisioningStateInfo info = ProvisioningStateReader.Read(path).State;
            Assert.Equal(accepted, info.Workers);
            Assert.Equal(accepted, info.LastRun!.AcceptedRecords);
            Assert.True(info.LastRun.Stopped);
        }
    }
}
