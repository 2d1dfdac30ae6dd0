using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Graph;
using EntraInboundProvisioning.IntegrationTests.Sending;
using EntraInboundProvisioning.Logs;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Scim;
using EntraInboundProvisioning.Sending;
using EntraInboundProvisioning.Sources;
using EntraInboundProvisioning.State;
using Xunit;

namespace EntraInboundProvisioning.IntegrationTests.State
{
    /// <summary>Daily runs through Core against the emulator: what reaches the service, and what the directory ends with.</summary>
    public sealed class DeltaRunEndToEndTests : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("eip-delta-e2e-").FullName;

        public void Dispose() => Directory.Delete(_directory, true);

        private string StatePath => Path.Combine(_directory, "job.state");

        private static readonly AttributeMapping Mapping = new AttributeMapping(new[]
        {
            MappingNode.ForColumn("externalId", "Id"),
            MappingNode.ForColumn("userName", "Upn"),
            MappingNode.ForColumn("title", "Title"),
            MappingNode.ForColumn("active", "Active"),
            MappingNode.ForComplex(ScimSchemas.EnterpriseUserUrn, new[] { MappingNode.ForComplex("manager", new[] { MappingNode.ForColumn("value", "Manager") }) }),
        });

        private static string Csv(int workers, Func<int, string>? title = null, Func<int, bool>? include = null, Func<int, string>? upn = null)
        {
            var text = new StringBuilder("Id,Upn,Title,Active,Manager\n");
            for (int i = 1; i <= workers; i++)
            {
                if (include?.Invoke(i) ?? true)
                {
                    text.Append(CultureInfoInvariant($"W{i},{upn?.Invoke(i) ?? $"w{i}@contoso.com"},{title?.Invoke(i) ?? "Clerk"},True,{(i > 1 ? $"W{i / 2}" : string.Empty)}\n"));
                }
            }

            return text.ToString();
        }

        private static string CultureInfoInvariant(FormattableString text) => text.ToString(System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>One daily run as the cmdlets do it: convert the file (indexed first) with the state, send, record what was accepted.</summary>
        private (List<BulkRequest> Requests, List<BulkUploadResult> Results, ConversionSummary Summary) Run(Emulator emulator, string csv, Action<ConversionOptions>? configure = null)
        {
            using RunState state = RunState.Acquire(StatePath, Guid.NewGuid());
            state.BindJob(emulator.State.DefaultServicePrincipalId, emulator.State.DefaultJobId);
            var options = new ConversionOptions();
            configure?.Invoke(options);
            var requests = new List<BulkRequest>();
            ConversionSummary summary;
            using (var converter = new BulkRequestConverter(Mapping, options, state, _ => { }))
            {
                IEnumerable<IRecord> Read()
                {
                    using var reader = new CsvRecordReader(new StringReader(csv), "hr.csv");
                    foreach (CsvRecord record in reader.ReadRecords())
                    {
                        yield return record;
                    }
                }

                requests.AddRange(converter.ConvertAll(Read));
                summary = converter.Summary();
            }

            List<BulkUploadResult> results = BulkUploadSenderTests.SendAll(emulator, emulator.SecretSession(), requests, new SendOptions { CallsPerWindow = 40, Window = TimeSpan.FromSeconds(2) });
            foreach (BulkUploadResult result in results.Where(r => r.Status == BulkUploadStatus.Accepted))
            {
                state.RecordAccepted(requests.Single(r => r.Index == result.Index).Json, DateTimeOffset.UtcNow);
            }

            state.Commit(new RunRecord { Plan = summary, Requests = requests.Count, Accepted = results.Count(r => r.Status == BulkUploadStatus.Accepted) });
            return (requests, results, summary);
        }

        private static int Calls(Emulator emulator) => emulator.State.BulkUploadCalls(emulator.State.DefaultJobId);

        [Fact]
        public async Task ASecondIdenticalRunSendsNothing()
        {
            await using var emulator = await Emulator.StartAsync();
            Run(emulator, Csv(200));
            emulator.State.RunCycle(emulator.State.DefaultJobId);
            int calls = Calls(emulator);
            var second = Run(emulator, Csv(200));
            Assert.Empty(second.Requests);
            Assert.Equal(calls, Calls(emulator));
            Assert.Equal(200, second.Summary.Unchanged);
        }

        [Fact]
        public async Task HundredChangedAndFiftyRemovedSendExactlyHundredUpdatesAndFiftyDisables()
        {
            await using var emulator = await Emulator.StartAsync();
            Run(emulator, Csv(1000));
            emulator.State.RunCycle(emulator.State.DefaultJobId);

            var run = Run(emulator, Csv(1000, title: i => i % 10 == 3 ? "Chef" : "Clerk", include: i => i % 20 != 7));
            Assert.Equal(150, run.Requests.Sum(r => r.OperationCount));
            Assert.Equal(100, run.Summary.Movers);
            Assert.Equal(50, run.Summary.Leavers);
            IReadOnlyList<JsonObject> cycle = emulator.State.RunCycle(emulator.State.DefaultJobId);
            Assert.Equal(150, cycle.Count);
            Assert.Equal(100, cycle.Count(e => e["provisioningAction"]!.ToString() == "update" && e["provisioningStatusInfo"]!["status"]!.ToString() == "success"));
            Assert.Equal(50, cycle.Count(e => e["provisioningAction"]!.ToString() == "disable" && e["provisioningStatusInfo"]!["status"]!.ToString() == "success"));
            Assert.False(emulator.State.FindUser("W7")!.Enabled);
            Assert.Equal("Chef", emulator.State.FindUser("W13")!.Attributes["title"]);
            Assert.True(emulator.State.FindUser("W8")!.Enabled);
            Assert.Equal("W7", emulator.State.FindUser("W14")!.ManagerExternalId);
        }

        [Fact]
        public async Task AFileWithTenPercentOfTheRowsIsRefusedWithNoCallMade()
        {
            await using var emulator = await Emulator.StartAsync();
            Run(emulator, Csv(1000));
            int calls = Calls(emulator);
            DateTimeOffset? saved = ProvisioningStateReader.Read(StatePath).State.SavedAt;
            var error = Assert.Throws<TooManyLeaversException>(() => Run(emulator, Csv(1000, include: i => i <= 100)));
            Assert.Equal(900, error.Leavers);
            Assert.Equal(calls, Calls(emulator));
            Assert.Equal(saved, ProvisioningStateReader.Read(StatePath).State.SavedAt);
        }

        [Fact]
        public async Task ARecordThatFailedInItsCycleIsSentAgainOnTheNextRun()
        {
            await using var emulator = await Emulator.StartAsync();
            string csv = Csv(50, upn: i => i == 9 ? "not a upn" : $"w{i}@contoso.com");
            Run(emulator, csv);
            emulator.State.RunCycle(emulator.State.DefaultJobId);

            // What Get-ProvisioningCycleLog -StatePath does with the entries it reads.
            ProvisioningApi api = emulator.SecretSession();
            var read = new RecentCycles(new ProvisioningLogReader(api), new ProvisioningLogQuery { JobId = emulator.State.DefaultJobId }, 1);
            using (RunState state = RunState.Acquire(StatePath, Guid.NewGuid()))
            {
                var learner = new OutcomeLearner(state);
                while (await read.NextAsync(CancellationToken.None) is RecentCyclesStep step)
                {
                    foreach (ProvisioningLogEntry entry in step.Entries)
                    {
                        learner.Learn(entry);
                    }
                }

                // W9 failed; its reports W18 and W19 were created without their manager (the service could not
                // resolve W9): all three go again.
                Assert.Equal(3, state.PendingRetries);
                state.Commit();
            }

            var retry = Run(emulator, csv);
            Assert.Equal(new[] { "W9", "W18", "W19" }, retry.Requests.SelectMany(r => r.ExternalIds));
            Assert.All(retry.Requests.SelectMany(r => r.OperationKinds), k => Assert.Equal(OperationKind.Retry, k));
            Assert.Equal(new[] { "W9" }, retry.Requests[0].ExternalIds);
        }
    }
}
