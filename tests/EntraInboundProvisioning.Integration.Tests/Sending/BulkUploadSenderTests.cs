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
using Xunit;

namespace EntraInboundProvisioning.IntegrationTests.Sending
{
    /// <summary>The sender against the emulator: pacing, every retry rule, the quota guard and resuming from a journal.</summary>
    public class BulkUploadSenderTests
    {
        private static BulkRequest Request(int index, params string[] externalIds) => new BulkRequest(index, GraphEmulatorTests.Bulk(externalIds), externalIds);

        private static IReadOnlyList<BulkRequest> Requests(int count, int perRequest = 2)
            => Enumerable.Range(1, count).Select(i => Request(i, Enumerable.Range(1, perRequest).Select(j => $"W{i}-{j}").ToArray())).ToArray();

        internal static List<BulkUploadResult> SendAll(IntegrationTests.Emulator emulator, ProvisioningApi api, IEnumerable<BulkRequest> requests, SendOptions options, UploadJournal? journal = null, bool resume = false)
        {
            var results = new List<BulkUploadResult>();
            using var sender = new BulkUploadSender(api, emulator.State.DefaultServicePrincipalId, emulator.State.DefaultJobId, options, journal, resume, CancellationToken.None);
            foreach (BulkRequest request in requests)
            {
                while (!sender.TryPost(request, TimeSpan.FromMilliseconds(50)))
                {
                    results.AddRange(sender.Drain());
                }
            }

            sender.Complete();
            while (!sender.IsFinished)
            {
                if (sender.Next(TimeSpan.FromMilliseconds(50)) is BulkUploadResult r)
                {
                    results.Add(r);
                }
            }

            results.AddRange(sender.Drain());
            return results.OrderBy(r => r.Index).ToList();
        }

        private static SendOptions Fast(int calls = 40) => new SendOptions { CallsPerWindow = calls, Window = TimeSpan.FromSeconds(2), RetryBaseDelay = TimeSpan.FromMilliseconds(50), MaxRetryDelay = TimeSpan.FromMilliseconds(400), JitterSeed = 3 };

        [Fact]
        public async Task StaysUnderThePacingLimitWithoutA429()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync(new EmulatorOptions { ThrottleLimit = 5, ThrottleWindow = TimeSpan.FromSeconds(2) });
            List<BulkUploadResult> results = SendAll(emulator, emulator.SecretSession(), Requests(12), Fast(calls: 5));
            Assert.All(results, r => Assert.Equal(BulkUploadStatus.Accepted, r.Status));
            Assert.All(results, r => Assert.Equal(1, r.Attempts));
            Assert.DoesNotContain(emulator.State.Requests, r => r.Status == 429);
            Assert.Equal(12, emulator.State.BulkUploadCalls(emulator.State.DefaultJobId));
        }

        [Fact]
        public async Task RetriesThrottlingServerErrorsAndDroppedConnectionsUntilAccepted()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync(new EmulatorOptions { Seed = 11 });
            emulator.State.Faults = new FaultPlan { Throttle429 = 0.05, Error500 = 0.05, Error503 = 0.05, DropBeforeAccept = 0.05, DropAfterAccept = 0.05 };
            IReadOnlyList<BulkRequest> requests = Requests(30);
            SendOptions options = Fast();
            options.MaxAttempts = 10;
            List<BulkUploadResult> results = SendAll(emulator, emulator.SecretSession(), requests, options);
            Assert.All(results, r => Assert.Equal(BulkUploadStatus.Accepted, r.Status));
            Assert.Contains(results, r => r.Attempts > 1);
            IReadOnlyDictionary<string, int> counts = emulator.State.AcceptedCountByExternalId(emulator.State.DefaultJobId);
            Assert.Equal(60, counts.Count); // none lost
            // Duplicates only where the connection dropped after the service had accepted the upload.
            Assert.All(counts.Values, c => Assert.InRange(c, 1, 10));
            Assert.Equal(results.Sum(r => r.Attempts), emulator.State.Requests.Count(r => r.Path.EndsWith("/bulkUpload", StringComparison.Ordinal)));
        }

        [Fact]
        public async Task ABadRequestIsNotRetriedAndReportsTheServicesMessage()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            var bad = new BulkRequest(1, GraphEmulatorTests.Bulk("X").Replace("/Users", "/Groups", StringComparison.Ordinal), new[] { "X" });
            BulkUploadResult result = Assert.Single(SendAll(emulator, emulator.SecretSession(), new[] { bad }, Fast()));
            Assert.Equal(BulkUploadStatus.Failed, result.Status);
            Assert.Equal(400, result.HttpStatus);
            Assert.Equal(1, result.Attempts);
            Assert.Contains("path must be /Users", result.Error);
            Assert.NotNull(result.RequestId);
        }

        [Fact]
        public async Task GivesUpAfterMaxAttemptsOnPersistentServerErrors()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            emulator.State.Faults = new FaultPlan { Error503 = 1.0 };
            BulkUploadResult result = Assert.Single(SendAll(emulator, emulator.SecretSession(), Requests(1), Fast(), null));
            Assert.Equal(BulkUploadStatus.Failed, result.Status);
            Assert.Equal(503, result.HttpStatus);
            Assert.Equal(6, result.Attempts);
            Assert.Contains("Gave up after 6 attempt(s)", result.Error);
        }

        [Fact]
        public async Task StopsAtTheCallBudgetAndReportsTheRestAsNotSent()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            SendOptions options = Fast();
            options.CallBudget = 3;
            options.MaxConcurrency = 1;
            List<BulkUploadResult> results = SendAll(emulator, emulator.SecretSession(), Requests(5), options);
            Assert.Equal(3, results.Count(r => r.Status == BulkUploadStatus.Accepted));
            Assert.Equal(2, results.Count(r => r.Status == BulkUploadStatus.NotSent));
            Assert.Contains("daily request limit", results.First(r => r.Status == BulkUploadStatus.NotSent).Error);
            Assert.Equal(3, emulator.State.BulkUploadCalls(emulator.State.DefaultJobId));
        }

        [Fact]
        public async Task ResumeSkipsWhatTheJournalShowsAccepted()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            string path = Path.Combine(Path.GetTempPath(), $"journal-{Guid.NewGuid():N}.jsonl");
            IReadOnlyList<BulkRequest> requests = Requests(6);
            ProvisioningApi api = emulator.SecretSession();
            using (UploadJournal journal = UploadJournal.Open(path, out _))
            {
                // A first run that got through half of the requests.
                Assert.All(SendAll(emulator, api, requests.Take(3), Fast(), journal), r => Assert.Equal(BulkUploadStatus.Accepted, r.Status));
            }

            File.AppendAllText(path, "{\"acceptedAt\":\"2026-");
            using (UploadJournal journal = UploadJournal.Open(path, out int unreadable))
            {
                Assert.Equal(1, unreadable);
                Assert.Equal(3, journal.AcceptedInLast24Hours);
                List<BulkUploadResult> second = SendAll(emulator, api, requests, Fast(), journal, resume: true);
                Assert.Equal(new[] { BulkUploadStatus.AlreadyAccepted, BulkUploadStatus.AlreadyAccepted, BulkUploadStatus.AlreadyAccepted, BulkUploadStatus.Accepted, BulkUploadStatus.Accepted, BulkUploadStatus.Accepted }, second.Select(r => r.Status));
            }

            Assert.Equal(6, emulator.State.BulkUploadCalls(emulator.State.DefaultJobId));
            Assert.All(emulator.State.AcceptedCountByExternalId(emulator.State.DefaultJobId).Values, c => Assert.Equal(1, c));
            Assert.Equal(12, UploadJournal.ReadExternalIds(path).Count);
        }

        [Fact]
        public async Task TheJobIsFoundByServicePrincipalAndAmbiguityIsAnError()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            ProvisioningApi api = emulator.SecretSession();
            Assert.Equal(emulator.State.DefaultJobId, (await api.ResolveJobAsync(emulator.State.DefaultServicePrincipalId, null, CancellationToken.None)).Id);
            emulator.State.AddJob(emulator.State.DefaultServicePrincipalId, "API2AD");
            GraphException ambiguous = await Assert.ThrowsAsync<GraphException>(() => api.ResolveJobAsync(emulator.State.DefaultServicePrincipalId, null, CancellationToken.None));
            Assert.Contains("-JobId", ambiguous.Message);
            ServicePrincipal lonely = emulator.State.AddServicePrincipal("No jobs");
            GraphException none = await Assert.ThrowsAsync<GraphException>(() => api.ResolveJobAsync(lonely.Id, null, CancellationToken.None));
            Assert.Contains("no API-driven provisioning job", none.Message);
        }
    }
}
