using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Scim;
using EntraInboundProvisioning.Sources;
using EntraInboundProvisioning.State;
using Xunit;

namespace EntraInboundProvisioning.Tests.Scim
{
    /// <summary>A conversion from its inputs (files, record lists, pipeline records) to its requests, as the cmdlet drives it.</summary>
    public sealed class ConversionRunTests : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("eip-run-").FullName;
        private readonly List<ConversionDiagnostic> _diagnostics = new List<ConversionDiagnostic>();

        public void Dispose() => Directory.Delete(_directory, true);

        private static AttributeMapping Mapping() => TestMappings.Minimal(
            MappingNode.ForColumn("title", "T"),
            MappingNode.ForComplex(ScimSchemas.EnterpriseUserUrn, new[] { MappingNode.ForComplex("manager", new[] { MappingNode.ForColumn("value", "Mgr") }) }));

        private string Csv(string name, params string[] lines)
        {
            string path = Path.Combine(_directory, name);
            File.WriteAllLines(path, lines);
            return path;
        }

        private static string[] Rows(int count, Func<int, string>? kind = null, bool managed = true)
            => new[] { "Id,Upn,T,Mgr,Kind" }.Concat(Enumerable.Range(1, count).Select(i => $"W{i},w{i}@x.com,Clerk,{(i > 1 && managed ? "W1" : string.Empty)},{kind?.Invoke(i) ?? "E"}")).ToArray();

        private ConversionRun Run(IReadOnlyList<ConversionSource>? sources = null, RunState? state = null)
            => new ConversionRun(sources ?? new[] { new ConversionSource(Mapping()) }, new ConversionOptions { OperationsPerRequest = 10 }, state, _diagnostics.Add, (columns, where) => new ConversionSource(AttributeMapping.FromSameNamedColumns(columns)));

        [Fact]
        public void FilesAreReadTwiceWhenTheRunOrdersManagersAndManagersGoFirst()
        {
            using ConversionRun run = Run();
            run.AddFile(Csv("a.csv", Rows(15).Reverse().Skip(1).Prepend("Id,Upn,T,Mgr,Kind").ToArray()));
            var progress = new List<ConversionProgress>();
            run.Progress = new Collect(progress);
            List<BulkRequest> requests = run.Complete(CancellationToken.None).ToList();
            Assert.Equal(15, requests.Sum(r => r.OperationCount));
            Assert.Equal("W1", requests[0].ExternalIds[0]);
            Assert.Contains(progress, p => p.Indexing);
            Assert.Contains(progress, p => !p.Indexing);
            Assert.Empty(_diagnostics);
        }

        [Fact]
        public void AFileThatChangesBetweenThePassesStopsTheRunNamingIt()
        {
            using ConversionRun run = Run();
            run.AddFile(Csv("a.csv", Rows(30, managed: false)));
            string second = Csv("b.csv", Rows(3).Take(1).Concat(new[] { "B1,b1@x.com,Clerk,,E" }).ToArray());
            run.AddFile(second);
            using IEnumerator<BulkRequest> requests = run.Complete(CancellationToken.None).GetEnumerator();
            Assert.True(requests.MoveNext()); // the second pass is under way: both files were read once already
            File.AppendAllLines(second, new[] { "B2,b2@x.com,Clerk,,E" });
            var error = Assert.Throws<InputChangedException>(() => { while (requests.MoveNext()) { } });
            Assert.Equal(second, error.Path);
        }

        [Fact]
        public void AnEmptyOrHeaderOnlyFileIsNoRecordsAndTheOthersGoOn()
        {
            using ConversionRun run = Run();
            string empty = Csv("empty.csv");
            string header = Csv("header.csv", "Id,Upn,T,Mgr,Kind");
            run.AddFile(empty);
            run.AddFile(header);
            run.AddFile(Csv("a.csv", Rows(3)));
            Assert.Equal(3, run.Complete(CancellationToken.None).Sum(r => r.OperationCount));
            Assert.Equal(new[] { empty, header }, _diagnostics.Where(d => d.ErrorId == "NoRecords").Select(d => d.Source));
        }

        [Fact]
        public void AnUnreadableFileIsReportedOnceAndNoLeaverIsInferred()
        {
            string state = Path.Combine(_directory, "job.state");
            using (RunState first = RunState.Acquire(state, Guid.NewGuid()))
            {
                using ConversionRun baseline = Run(state: first);
                baseline.AddFile(Csv("a.csv", Rows(10)));
                foreach (BulkRequest request in baseline.Complete(CancellationToken.None))
                {
                    first.RecordAccepted(request, DateTimeOffset.UtcNow);
                }

                first.Commit();
            }

            using RunState again = RunState.Acquire(state, Guid.NewGuid());
            using ConversionRun run = Run(state: again);
            run.AddFile(Path.Combine(_directory, "missing.csv"));
            run.AddFile(Csv("b.csv", Rows(2)));
            Assert.Empty(run.Complete(CancellationToken.None));
            Assert.Single(_diagnostics, d => d.ErrorId == "InputFileUnreadable");
            Assert.Contains(_diagnostics, d => d.ErrorId == "LeaversNotInferred" && d.Message.Contains("missing.csv", StringComparison.Ordinal));
            Assert.Equal(0, run.Summary()!.Leavers);
        }

        [Theory]
        [InlineData("header-only file")]
        [InlineData("empty file")]
        [InlineData("empty source")]
        public void AnEmptyInputAmongSeveralInfersNoLeaverUnlessManyLeaversAreAllowed(string how)
        {
            // Staff and interns, sent with a state; then the interns' export fails and arrives empty. Two interns of twelve
            // workers pass under any threshold: without the guard both would be disabled.
            string state = Path.Combine(_directory, "job.state");
            string[] interns = { "Id,Upn,T,Mgr,Kind", "I1,i1@x.com,Intern,,E", "I2,i2@x.com,Intern,,E" };
            using (RunState first = RunState.Acquire(state, Guid.NewGuid()))
            {
                using ConversionRun baseline = Run(state: first);
                baseline.AddFile(Csv("staff.csv", Rows(10)));
                baseline.AddFile(Csv("interns.csv", interns));
                foreach (BulkRequest request in baseline.Complete(CancellationToken.None))
                {
                    first.RecordAccepted(request, DateTimeOffset.UtcNow);
                }

                first.Commit();
            }

            foreach (bool allow in new[] { false, true })
            {
                _diagnostics.Clear();
                using RunState again = RunState.Acquire(state, Guid.NewGuid());
                var options = new ConversionOptions { OperationsPerRequest = 10, AllowManyLeavers = allow };
                var source = new ConversionSource(Mapping());
                using var run = new ConversionRun(new[] { source }, options, again, _diagnostics.Add);
                run.AddFile(Csv("staff.csv", Rows(10)));
                switch (how)
                {
                    case "header-only file": run.AddFile(Csv("interns.csv", interns[0])); break;
                    case "empty file": run.AddFile(Csv("interns.csv")); break;
                    default: run.AddRecords(0, Array.Empty<IRecord>()); break;
                }

                List<BulkRequest> requests = run.Complete(CancellationToken.None).ToList();
                ConversionSummary summary = run.Summary()!;
                if (allow)
                {
                    Assert.Equal(2, summary.Leavers);
                    Assert.True(summary.LeaversInferred);
                    Assert.Equal(new[] { "I1", "I2" }, requests.SelectMany(r => r.ExternalIds).OrderBy(id => id));
                }
                else
                {
                    Assert.Equal(0, summary.Leavers);
                    Assert.False(summary.LeaversInferred);
                    Assert.Empty(requests);
                    ConversionDiagnostic note = Assert.Single(_diagnostics, d => d.ErrorId == "LeaversNotInferred");
                    Assert.Contains(how == "empty source" ? "the source" : "interns.csv", note.Message, StringComparison.Ordinal);
                    Assert.Contains("-Force", note.Message, StringComparison.Ordinal);
                }

                Assert.Contains(_diagnostics, d => d.ErrorId == "NoRecords");
            }
        }

        [Fact]
        public void AColumnTheMappingReadsMustBeInEachInput()
        {
            using ConversionRun run = Run();
            run.AddFile(Csv("a.csv", "Id,Upn,Mgr", "W1,w1@x.com,"));
            var error = Assert.Throws<MappedColumnNotFoundException>(() => run.Complete(CancellationToken.None).ToList());
            Assert.Equal("T", error.Column);
            Assert.Contains("a.csv", error.Message);
        }

        [Fact]
        public void WithoutAMappingTheFirstInputsColumnsMakeIt()
        {
            using ConversionRun run = new ConversionRun(null, new ConversionOptions { AllowMissingActive = true }, null, _diagnostics.Add, (columns, where) =>
            {
                Assert.Equal("'" + Path.Combine(_directory, "a.csv") + "'", where);
                return new ConversionSource(AttributeMapping.FromSameNamedColumns(columns));
            });
            run.AddFile(Csv("a.csv", "externalId,userName,title", "E1,e1@x.com,Clerk"));
            BulkRequest request = Assert.Single(run.Complete(CancellationToken.None));
            Assert.Contains("\"title\":\"Clerk\"", request.Json, StringComparison.Ordinal);
        }

        [Fact]
        public void SourcesSharingAFileReadItOnceAndEachRecordGoesToTheFirstThatTakesIt()
        {
            var employees = new ConversionSource(Mapping(), "employees", r => r.TryGetValue("Kind", out object? k) && (string?)k == "E");
            var contractors = new ConversionSource(TestMappings.Minimal(MappingNode.ForConstant("userType", "Contractor")), "contractors", r => r.TryGetValue("Kind", out object? k) && (string?)k == "C");
            using ConversionRun run = Run(new[] { employees, contractors });
            run.AddFile(Csv("all.csv", Rows(10, i => i % 3 == 0 ? "C" : i == 10 ? "X" : "E")), new[] { 0, 1 });
            run.AddRecords(1, new IRecord[] { BulkRequestConverterTests.Row(1, ("Id", "C99"), ("Upn", "c99@x.com"), ("Kind", "C")) });
            List<BulkRequest> requests = run.Complete(CancellationToken.None).ToList();
            ConversionSummary summary = run.Summary()!;
            Assert.Equal(new[] { "employees", "contractors" }, summary.Sources);
            Assert.Equal(1, summary.RecordsInNoSource);
            Assert.Equal(10, requests.Sum(r => r.OperationCount));
            Assert.Equal(4, requests.SelectMany(r => r.Facts!).Count(f => f.Source == "contractors"));
        }

        [Fact]
        public void PipelineRecordsStreamThroughTheSameRun()
        {
            using ConversionRun run = new ConversionRun(new[] { new ConversionSource(TestMappings.Minimal()) }, new ConversionOptions { OperationsPerRequest = 2, DuplicateExternalId = DuplicateExternalIdHandling.First }, null, _diagnostics.Add);
            var streamed = new List<BulkRequest>();
            for (int i = 1; i <= 5; i++)
            {
                streamed.AddRange(run.Add(BulkRequestConverterTests.Row(i, ("Id", $"P{i}"), ("Upn", $"p{i}@x.com"))));
            }

            Assert.Equal(2, streamed.Count);
            streamed.AddRange(run.Complete(CancellationToken.None));
            Assert.Equal(new[] { 2, 2, 1 }, streamed.Select(r => r.OperationCount));
            var missing = new ConversionRun(new[] { new ConversionSource(Mapping()) }, new ConversionOptions(), null, _ => { });
            Assert.Throws<MappedColumnNotFoundException>(() => missing.Add(BulkRequestConverterTests.Row(1, ("Id", "X"), ("Upn", "x@x.com"))));
        }

        private sealed class Collect : IProgress<ConversionProgress>
        {
            private readonly List<ConversionProgress> _into;

            public Collect(List<ConversionProgress> into) => _into = into;

            public void Report(ConversionProgress value) => _into.Add(value);
        }
    }
}
