using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Scim;
using EntraInboundProvisioning.Sources;
using Xunit;
using static EntraInboundProvisioning.Tests.Scim.BulkRequestConverterTests;

namespace EntraInboundProvisioning.Tests.Scim
{
    /// <summary>Which row of a repeated worker is sent, and managers before their reports (through the converter).</summary>
    public class OperationAssemblerTests
    {
        private static AttributeMapping WithManager() => TestMappings.Minimal(
            MappingNode.ForColumn("title", "T"),
            MappingNode.ForComplex(ScimSchemas.EnterpriseUserUrn, new[] { MappingNode.ForComplex("manager", new[] { MappingNode.ForColumn("value", "Mgr") }) }));

        private static IRecord Worker(long row, string id, string? manager, string title = "t")
            => Row(row, ("Id", id), ("Upn", $"{id}@contoso.com"), ("T", title), ("Mgr", manager));

        /// <summary>Request index of every externalId in a run.</summary>
        private static Dictionary<string, int> RequestOf(Run run)
            => run.Requests.SelectMany(r => r.ExternalIds.Select(id => (id, r.Index))).ToDictionary(p => p.id, p => p.Index, StringComparer.OrdinalIgnoreCase);

        [Fact]
        public void FirstPolicyKeepsTheFirstRowAndStillStreams()
        {
            var run = new Run();
            var options = new ConversionOptions { DuplicateExternalId = DuplicateExternalIdHandling.First, OperationsPerRequest = 2 };
            using var converter = new BulkRequestConverter(TestMappings.Minimal(MappingNode.ForColumn("title", "T")), options, run.Diagnostics.Add);
            Assert.True(converter.IsStreaming);
            converter.Add(Worker(1, "A", null, "first"));
            converter.Add(Worker(2, "B", null));
            Assert.True(converter.TryTake(out BulkRequest? early), "a full request comes out before the input ends");
            Assert.Equal(new[] { "A", "B" }, early!.ExternalIds);
            converter.Add(Worker(3, "A", null, "second"));
            run.Requests.Add(early);
            run.Requests.AddRange(converter.CompleteAndTakeAll());

            Assert.Equal("first", run.User("A").GetProperty("title").GetString());
            ConversionDiagnostic warning = Assert.Single(run.Diagnostics);
            Assert.Equal("DuplicateExternalId", warning.ErrorId);
            Assert.Contains("input object 1", warning.Message);
            Assert.StartsWith("Input object 3", warning.Message);
            Assert.Equal(1, converter.RecordsSuperseded);
        }

        [Fact]
        public void LastPolicyHoldsEverythingUntilTheInputEnds()
        {
            var run = new Run();
            using var converter = new BulkRequestConverter(TestMappings.Minimal(), new ConversionOptions { OperationsPerRequest = 1 }, run.Diagnostics.Add);
            Assert.False(converter.IsStreaming);
            converter.Add(Worker(1, "A", null));
            converter.Add(Worker(2, "B", null));
            Assert.False(converter.TryTake(out _), "a later row could still replace any of these");
            Assert.Equal(2, converter.CompleteAndTakeAll().Count());
        }

        [Fact]
        public void ErrorPolicyListsEveryRepeatedExternalIdWithItsRowsAndConvertsNothing()
        {
            var run = new Run();
            using var converter = new BulkRequestConverter(TestMappings.Minimal(), new ConversionOptions { DuplicateExternalId = DuplicateExternalIdHandling.Error }, run.Diagnostics.Add);
            foreach (IRecord record in Csv("Id,Upn\nA,a@x\nB,b@x\nA,a@x\nC,c@x\nb,b@x\nA,a@x\n", "hr.csv"))
            {
                converter.Add(record);
            }

            var thrown = Assert.Throws<DuplicateExternalIdException>(() => converter.Complete());
            Assert.Equal(2, thrown.Workers);
            Assert.Equal(5, thrown.Rows);
            Assert.False(converter.TryTake(out _));
            Assert.Equal(2, run.Diagnostics.Count);
            Assert.All(run.Diagnostics, d => Assert.Equal(DiagnosticSeverity.Error, d.Severity));
            Assert.Contains(run.Diagnostics, d => d.Message == "externalId 'A' appears in 3 rows: 'hr.csv', rows 1, 3 and 6.");
            Assert.Contains(run.Diagnostics, d => d.Message == "externalId 'B' appears in 2 rows: 'hr.csv', rows 2 and 5.");
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void WhenTheLastRowHasErrorsTheWorkerIsNotSentAtAll(bool indexFirst)
        {
            var mapping = TestMappings.Minimal(MappingNode.ForColumn("title", "T"));
            Run run = Convert(mapping, new[] { Worker(1, "A", null, "good"), Row(2, ("Id", "A"), ("Upn", ""), ("T", "bad")), Worker(3, "B", null) }, indexFirst: indexFirst);
            Assert.Equal(new[] { "B" }, run.Requests.SelectMany(r => r.ExternalIds));
            Assert.Contains(run.Diagnostics, d => d.ErrorId == "MissingUserName" && d.RecordNumber == 2);
            Assert.Contains(run.Diagnostics, d => d.ErrorId == "DuplicateExternalId" && d.Severity == DiagnosticSeverity.Warning && d.RecordNumber == 2);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void ManagersAreSentInAnEarlierRequestThanTheirReports(bool indexFirst)
        {
            // Reports come before their managers in the input; three per request so a manager and report could share one.
            IRecord[] input =
            {
                Worker(1, "E5", "M2"), Worker(2, "E6", "M2"), Worker(3, "M2", "CEO"), Worker(4, "E7", "M3"), Worker(5, "M3", "CEO"), Worker(6, "CEO", null),
            };
            Run run = Convert(WithManager(), input, new ConversionOptions { OperationsPerRequest = 3 }, indexFirst: indexFirst);
            Dictionary<string, int> at = RequestOf(run);
            Assert.Equal(6, at.Count);
            Assert.True(at["CEO"] < at["M2"] && at["CEO"] < at["M3"]);
            Assert.True(at["M2"] < at["E5"] && at["M2"] < at["E6"] && at["M3"] < at["E7"]);
            Assert.Empty(run.Diagnostics);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void WithoutManagersInTheRunTheInputOrderIsKept(bool indexFirst)
        {
            IRecord[] input = Enumerable.Range(1, 7).Select(i => Worker(i, $"W{8 - i}", i % 2 == 0 ? "NotInThisRun" : null)).ToArray();
            Run run = Convert(WithManager(), input, new ConversionOptions { OperationsPerRequest = 3 }, indexFirst: indexFirst);
            Assert.Equal(input.Select(r => { r.TryGetValue("Id", out object? id); return (string)id!; }), run.Requests.SelectMany(r => r.ExternalIds));
            Assert.Equal(3, run.Requests.Count);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void AManagerWhoseRecordFailedDoesNotHoldTheReports(bool indexFirst)
        {
            Run run = Convert(WithManager(), new[] { Worker(1, "E1", "M1"), Row(2, ("Id", "M1"), ("Upn", ""), ("T", "x"), ("Mgr", null)), Worker(3, "E2", null) }, indexFirst: indexFirst);
            Assert.Equal(new[] { "E1", "E2" }, run.Requests.SelectMany(r => r.ExternalIds));
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void ACycleIsReportedNamingTheWorkersAndEveryoneIsStillSent(bool indexFirst)
        {
            IRecord[] input = { Worker(1, "D", "A"), Worker(2, "A", "C"), Worker(3, "B", "A"), Worker(4, "C", "B"), Worker(5, "X", null) };
            Run run = Convert(WithManager(), input, new ConversionOptions { OperationsPerRequest = 1 }, indexFirst: indexFirst);
            ConversionDiagnostic warning = Assert.Single(run.Diagnostics);
            Assert.Equal("ManagerCycle", warning.ErrorId);
            Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
            foreach (string id in new[] { "'A'", "'B'", "'C'" })
            {
                Assert.Contains(id, warning.Message);
            }

            Assert.DoesNotContain("'D'", warning.Message);
            Dictionary<string, int> at = RequestOf(run);
            Assert.Equal(5, at.Count);
            Assert.True(at["A"] < at["B"] && at["B"] < at["C"], "the cycle is broken at its earliest row, then followed");
            Assert.True(at["A"] < at["D"]);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void SelfManagedWorkersAreNotACycleButAreReportedOnce(bool indexFirst)
        {
            Run run = Convert(WithManager(), new[] { Worker(1, "E1", "CEO"), Worker(2, "CEO", "ceo") }, indexFirst: indexFirst);
            ConversionDiagnostic warning = Assert.Single(run.Diagnostics);
            Assert.Equal("SelfManager", warning.ErrorId);
            Assert.Equal(new[] { "CEO", "E1" }, run.Requests.SelectMany(r => r.ExternalIds));
        }

        [Fact]
        public void OrderingCanBeTurnedOffAndThenStreamsWithTheFirstPolicy()
        {
            var options = new ConversionOptions { OrderManagersFirst = false, DuplicateExternalId = DuplicateExternalIdHandling.First };
            Run run = Convert(WithManager(), new[] { Worker(1, "E1", "M1"), Worker(2, "M1", null) }, options);
            Assert.Equal(new[] { "E1", "M1" }, run.Requests.SelectMany(r => r.ExternalIds));
        }

        [Theory]
        [InlineData(1, false)]
        [InlineData(1, true)]
        [InlineData(7, false)]
        [InlineData(7, true)]
        [InlineData(50, false)]
        [InlineData(50, true)]
        public void AShuffledEightLevelHierarchyGoesOutManagersFirstWithEveryWorkerOnce(int perRequest, bool indexFirst)
        {
            var random = new Random(perRequest);
            var workers = new List<(string Id, string? Manager)> { ("W0", null) };
            var levels = new List<List<string>> { new List<string> { "W0" } };
            for (int level = 1; level < 8; level++)
            {
                var current = new List<string>();
                foreach (string manager in levels[level - 1])
                {
                    for (int c = 0; c < 1 + random.Next(3); c++)
                    {
                        string id = $"W{workers.Count}";
                        workers.Add((id, manager));
                        current.Add(id);
                    }
                }

                levels.Add(current);
            }

            // Add workers whose managers are outside the run, then shuffle.
            for (int i = 0; i < 50; i++)
            {
                workers.Add(($"X{i}", $"Gone{i}"));
            }

            List<(string Id, string? Manager)> shuffled = workers.OrderBy(_ => random.Next()).ToList();
            IRecord[] input = shuffled.Select((w, i) => Worker(i + 1, w.Id, w.Manager)).ToArray();
            Run run = Convert(WithManager(), input, new ConversionOptions { OperationsPerRequest = perRequest }, indexFirst);

            List<string> sent = run.Requests.SelectMany(r => r.ExternalIds).ToList();
            Assert.Equal(workers.Count, sent.Count);
            Assert.Equal(workers.Count, sent.Distinct().Count());
            Dictionary<string, int> at = RequestOf(run);
            foreach ((string id, string? manager) in workers.Where(w => w.Manager is not null && !w.Manager.StartsWith("Gone", StringComparison.Ordinal)))
            {
                Assert.True(at[manager!] < at[id], $"{manager} must be in an earlier request than {id}");
            }

            // Workers with nothing to wait for keep their input order.
            List<string> free = shuffled.Where(w => w.Manager is null || w.Manager.StartsWith("Gone", StringComparison.Ordinal)).Select(w => w.Id).ToList();
            Assert.Equal(free, sent.Where(free.Contains).ToList());
            Assert.All(run.Requests, r => Assert.InRange(r.OperationCount, 1, perRequest));
            Assert.Empty(run.Diagnostics);
        }

        [Fact]
        public void HeldOperationsSpillToAnEncryptedTemporaryFileAndComeBackIntact()
        {
            string directory = Directory.CreateTempSubdirectory("eip-spill-").FullName;
            try
            {
                // About 1.5 MB of operations: with no memory allowance, every sealed chunk goes to the file.
                IRecord[] input = Enumerable.Range(1, 3000).Select(i => Worker(i, $"E{i}", i > 1 ? $"E{i / 2}" : null, $"Secret-Title-{i:D5}-" + new string('x', 300))).ToArray();
                var run = new Run();
                var options = new ConversionOptions { MemoryBufferBytes = 0, SpillDirectory = directory };
                using (var converter = new BulkRequestConverter(WithManager(), options, run.Diagnostics.Add))
                {
                    foreach (IRecord record in input)
                    {
                        converter.Add(record);
                    }

                    string file = Assert.Single(Directory.GetFiles(directory));
                    byte[] content = ReadLockedFile(file);
                    Assert.True(content.Length > 1_000_000);
                    Assert.Equal(converter.SpilledBytes, content.Length);
                    Assert.DoesNotContain("Secret-Title", Encoding.UTF8.GetString(content), StringComparison.Ordinal);
                    Assert.DoesNotContain("contoso.com", Encoding.UTF8.GetString(content), StringComparison.Ordinal);
                    run.Requests.AddRange(converter.CompleteAndTakeAll());
                }

                Assert.Empty(Directory.GetFiles(directory));
                Run inMemory = Convert(WithManager(), input);
                Assert.Equal(inMemory.Requests.Select(r => r.Json), run.Requests.Select(r => r.Json));
                Assert.Equal(3000, run.Users.Count());
                Assert.Equal("Secret-Title-02999-" + new string('x', 300), run.User("E2999").GetProperty("title").GetString());
            }
            finally
            {
                Directory.Delete(directory, true);
            }
        }

        [Fact]
        public void WithAFirstPassOnlyReportsWhoseManagerComesLaterAreSpilledAndTheResultIsTheSame()
        {
            string directory = Directory.CreateTempSubdirectory("eip-spill-").FullName;
            try
            {
                // Reports before managers: every worker but the top one waits for the second pass to reach the manager.
                IRecord[] input = Enumerable.Range(1, 3000).Reverse().Select((i, n) => Worker(n + 1, $"E{i}", i > 1 ? $"E{i / 2}" : null, $"Secret-Title-{i:D5}-" + new string('x', 300))).ToArray();
                var options = new ConversionOptions { MemoryBufferBytes = 0, SpillDirectory = directory };
                Run twoPass = Convert(WithManager(), input, options, indexFirst: true);
                Run onePass = Convert(WithManager(), input, new ConversionOptions());
                Assert.Equal(onePass.Requests.Select(r => r.Json), twoPass.Requests.Select(r => r.Json));
                Assert.Empty(Directory.GetFiles(directory));
                Dictionary<string, int> at = RequestOf(twoPass);
                Assert.All(Enumerable.Range(2, 2999), i => Assert.True(at[$"E{i / 2}"] < at[$"E{i}"]));
            }
            finally
            {
                Directory.Delete(directory, true);
            }
        }

        [Fact]
        public void TheSecondPassStreamsWhenManagersComeFirst()
        {
            IRecord[] input = Enumerable.Range(1, 5000).Select(i => Worker(i, $"E{i}", i > 1 ? $"E{i / 2}" : null)).ToArray();
            var run = new Run();
            using var converter = new BulkRequestConverter(WithManager(), new ConversionOptions(), run.Diagnostics.Add);
            Assert.True(converter.WantsIndex);
            foreach (IRecord record in input)
            {
                converter.Index(record);
            }

            converter.EndIndex();
            int mostWaiting = 0;
            foreach (IRecord record in input)
            {
                converter.Add(record);
                mostWaiting = Math.Max(mostWaiting, converter.OperationsWaiting);
                while (converter.TryTake(out BulkRequest? request))
                {
                    run.Requests.Add(request!);
                }
            }

            Assert.True(run.Requests.Count >= 80, $"most requests come out before the input ends ({run.Requests.Count} did)");
            Assert.InRange(mostWaiting, 1, 1000);
            run.Requests.AddRange(converter.CompleteAndTakeAll());
            Assert.Equal(5000, run.Users.Count());
            Assert.Empty(run.Diagnostics);

            // Requests stay full: only a few are completed early so that waiting reports can go.
            Assert.True(run.Requests.Count <= 110, $"{run.Requests.Count} requests for 5,000 workers");
            Dictionary<string, int> at = RequestOf(run);
            foreach (BulkRequest request in run.Requests)
            {
                int expected = request.ExternalIds.Where(id => id != "E1").Select(id => at[$"E{int.Parse(id.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture) / 2}"]).DefaultIfEmpty(0).Max();
                Assert.Equal(expected, request.DependsOn);
            }
        }

        [Fact]
        public void TheFirstPassReportsRepeatsOnceAndNothingAboutRecords()
        {
            IRecord[] input = { Worker(1, "A", null, "old"), Row(2, ("Id", "B"), ("Upn", ""), ("T", "x"), ("Mgr", null)), Worker(3, "A", null, "new") };
            Run run = Convert(TestMappings.Minimal(MappingNode.ForColumn("title", "T")), input, indexFirst: true);
            Assert.Equal(new[] { "DuplicateExternalId", "MissingUserName" }, run.Diagnostics.Select(d => d.ErrorId).OrderBy(x => x));
            Assert.Equal("new", run.User("A").GetProperty("title").GetString());
        }

        [Fact]
        public void TheErrorPolicyStopsAfterTheFirstPass()
        {
            var run = new Run();
            using var converter = new BulkRequestConverter(TestMappings.Minimal(), new ConversionOptions { DuplicateExternalId = DuplicateExternalIdHandling.Error }, run.Diagnostics.Add);
            converter.Index(Worker(1, "A", null));
            converter.Index(Worker(2, "A", null));
            Assert.Throws<DuplicateExternalIdException>(() => converter.EndIndex());
            Assert.Equal("externalId 'A' appears in 2 rows: input objects 1 and 2.", Assert.Single(run.Diagnostics).Message);
        }

        [Fact]
        public void AnInputThatChangedBetweenThePassesIsRefused()
        {
            using var converter = new BulkRequestConverter(WithManager(), null, _ => { });
            converter.Index(Worker(1, "A", null));
            converter.EndIndex();
            converter.Add(Worker(1, "A", null));
            converter.Add(Worker(2, "B", null));
            var error = Assert.Throws<InputChangedException>(() => converter.Complete());
            Assert.Contains("changed while it was read", error.Message);
        }

        /// <summary>The buffer locks its file against other readers; read it the way another process would, past the lock.</summary>
        private static byte[] ReadLockedFile(string path)
        {
            if (OperatingSystem.IsWindows())
            {
                using var copy = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
                using var memory = new MemoryStream();
                copy.CopyTo(memory);
                return memory.ToArray();
            }

            using var cat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("cat", $"\"{path}\"") { RedirectStandardOutput = true })!;
            using var output = new MemoryStream();
            cat.StandardOutput.BaseStream.CopyTo(output);
            cat.WaitForExit();
            return output.ToArray();
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void RequestsKnowTheRangeOfRowsTheyHold(bool indexFirst)
        {
            Run run = Convert(WithManager(), Csv("Id,Upn,T,Mgr\nE1,a@x,t,M1\nM1,b@x,t,\nE2,c@x,t,\n", "hr.csv"), indexFirst: indexFirst);
            Assert.Equal(2, run.Requests.Count);
            Assert.Equal(new[] { "M1", "E2" }, run.Requests[0].ExternalIds);
            Assert.Equal((2L, 3L), (run.Requests[0].FirstRecord, run.Requests[0].LastRecord));
            Assert.Equal(new[] { "E1" }, run.Requests[1].ExternalIds);
            Assert.Equal((1L, 1L), (run.Requests[1].FirstRecord, run.Requests[1].LastRecord));
            Assert.All(run.Requests, r => Assert.Equal("hr.csv", r.Source));
            Assert.All(run.Requests.SelectMany(r => r.OperationKinds), k => Assert.Equal(OperationKind.Record, k));
        }
    }
}
