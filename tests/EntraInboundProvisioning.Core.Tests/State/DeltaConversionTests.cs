using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Scim;
using EntraInboundProvisioning.Sources;
using EntraInboundProvisioning.State;
using Xunit;
using static EntraInboundProvisioning.Tests.Scim.BulkRequestConverterTests;

namespace EntraInboundProvisioning.Tests.State
{
    /// <summary>Daily runs with a state: joiners, movers and leavers only, with the guard against a truncated export.</summary>
    public sealed class DeltaConversionTests : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("eip-delta-").FullName;

        public void Dispose() => Directory.Delete(_directory, true);

        private static AttributeMapping Mapping() => TestMappings.Minimal(
            MappingNode.ForColumn("title", "T"),
            MappingNode.ForComplex(ScimSchemas.EnterpriseUserUrn, new[] { MappingNode.ForComplex("manager", new[] { MappingNode.ForColumn("value", "Mgr") }) }));

        private static IRecord[] Workers(int count, Func<int, string>? title = null, Func<int, bool>? include = null)
            => Enumerable.Range(1, count).Where(i => include?.Invoke(i) ?? true)
                .Select((i, n) => Row(n + 1, ("Id", $"W{i}"), ("Upn", $"w{i}@contoso.com"), ("T", title?.Invoke(i) ?? "Clerk"), ("Mgr", i > 1 ? $"W{i / 2}" : null)))
                .ToArray();

        private sealed class Outcome
        {
            public Run Run { get; } = new Run();

            public ConversionSummary? Summary { get; set; }
        }

        /// <summary>Converts with a state (indexing first as -Path does, or holding as pipeline input is).</summary>
        private Outcome Convert(IRecord[] records, bool indexFirst, Action<ConversionOptions>? configure = null, bool accept = true)
        {
            var outcome = new Outcome();
            using RunState state = RunState.Acquire(Path.Combine(_directory, "job.state"), Guid.NewGuid());
            var options = new ConversionOptions { OperationsPerRequest = 10 };
            configure?.Invoke(options);
            using (var converter = new BulkRequestConverter(Mapping(), options, state, outcome.Run.Diagnostics.Add))
            {
                outcome.Run.Requests.AddRange(indexFirst ? converter.ConvertAll(() => records) : converter.ConvertAll(records));
                outcome.Summary = converter.Summary();
            }

            if (accept)
            {
                // As Send-ScimBulkRequest -StatePath does for every request the service accepts.
                foreach (BulkRequest request in outcome.Run.Requests)
                {
                    state.RecordAccepted(request, DateTimeOffset.UtcNow);
                }

                state.Commit();
            }

            return outcome;
        }

        private static IEnumerable<(string Id, OperationKind Kind)> Sent(Outcome outcome)
            => outcome.Run.Requests.SelectMany(r => r.ExternalIds.Zip(r.OperationKinds, (id, kind) => (id, kind)));

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void TheFirstRunSendsJoinersAndAnIdenticalSecondRunSendsNothing(bool indexFirst)
        {
            Outcome first = Convert(Workers(30), indexFirst);
            Assert.Equal(30, first.Summary!.Joiners);
            Assert.All(Sent(first), s => Assert.Equal(OperationKind.Joiner, s.Kind));
            Assert.True(first.Summary.LeaversInferred);

            Outcome second = Convert(Workers(30), indexFirst);
            Assert.Empty(second.Run.Requests);
            Assert.Equal(30, second.Summary!.Unchanged);
            Assert.Equal(0, second.Summary.Requests);
            Assert.Equal(30, second.Summary.WorkersInState);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void ChangedWorkersAreMoversAndMissingOnesLeaversThatKeepTheirUserName(bool indexFirst)
        {
            Convert(Workers(100), indexFirst);
            Outcome run = Convert(Workers(100, title: i => i % 10 == 0 ? "Chef" : "Clerk", include: i => i % 25 != 7), indexFirst);
            Assert.Equal(10, run.Summary!.Movers);
            Assert.Equal(4, run.Summary.Leavers);
            Assert.Equal(86, run.Summary.Unchanged);
            Assert.Equal(new[] { "W7", "W32", "W57", "W82" }, Sent(run).Where(s => s.Kind == OperationKind.Leaver).Select(s => s.Id));
            Assert.Equal(Enumerable.Range(1, 10).Select(i => $"W{i * 10}").OrderBy(x => x), Sent(run).Where(s => s.Kind == OperationKind.Mover).Select(s => s.Id).OrderBy(x => x));

            JsonElement leaver = run.Run.User("W32");
            Assert.Equal("w32@contoso.com", leaver.GetProperty("userName").GetString());
            Assert.False(leaver.GetProperty("active").GetBoolean());
            Assert.Equal(new[] { "schemas", "externalId", "userName", "active" }, leaver.EnumerateObject().Select(p => p.Name));

            // Leavers are sent once: the next run with the same input sends nothing.
            Outcome again = Convert(Workers(100, title: i => i % 10 == 0 ? "Chef" : "Clerk", include: i => i % 25 != 7), indexFirst);
            Assert.Empty(again.Run.Requests);
            Assert.Equal(0, again.Summary!.Leavers);
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void ATruncatedExportIsRefusedBeforeAnythingIsConverted(bool indexFirst)
        {
            Convert(Workers(100), indexFirst);
            var error = Assert.Throws<TooManyLeaversException>(() => Convert(Workers(100, include: i => i <= 10), indexFirst, accept: false));
            Assert.Equal(90, error.Leavers);
            Assert.Equal(100, error.ActiveWorkers);
            Assert.Equal(5, error.Allowed);
            Assert.Contains("90 of the 100 active workers", error.Message);
            Assert.Contains("(90 %)", error.Message);
            Assert.Contains("-PartialInput", error.Message);

            // Exactly the threshold passes: 5 of 100 is not more than 5 %.
            Outcome five = Convert(Workers(100, include: i => i > 5), indexFirst, accept: false);
            Assert.Equal(5, five.Summary!.Leavers);
        }

        [Fact]
        public void TheGuardStopsTheSecondPassBeforeItStarts()
        {
            Convert(Workers(100), indexFirst: true);
            using RunState state = RunState.Acquire(Path.Combine(_directory, "job.state"), Guid.NewGuid());
            using var converter = new BulkRequestConverter(Mapping(), new ConversionOptions(), state, _ => { });
            foreach (IRecord record in Workers(100, include: i => i <= 50))
            {
                converter.Index(record);
            }

            Assert.Throws<TooManyLeaversException>(() => converter.EndIndex());
            Assert.Equal(0, converter.RecordsRead);
            Assert.False(converter.TryTake(out _));
        }

        [Fact]
        public void ForceOrAHigherThresholdLetsARealMassDepartureThrough()
        {
            Convert(Workers(100), indexFirst: true);
            Outcome forced = Convert(Workers(100, include: i => i <= 60), indexFirst: true, o => o.AllowManyLeavers = true, accept: false);
            Assert.Equal(40, forced.Summary!.Leavers);
            Assert.Contains(forced.Run.Diagnostics, d => d.ErrorId == "ManyLeavers" && d.Severity == DiagnosticSeverity.Warning);

            Outcome count = Convert(Workers(100, include: i => i <= 60), indexFirst: true, o => o.LeaverThreshold = new LeaverThreshold(40), accept: false);
            Assert.Equal(40, count.Summary!.Leavers);
            Assert.Throws<TooManyLeaversException>(() => Convert(Workers(100, include: i => i <= 60), indexFirst: true, o => o.LeaverThreshold = new LeaverThreshold("39"), accept: false));
        }

        [Theory]
        [InlineData("partial")]
        [InlineData("filter")]
        [InlineData("no-id")]
        public void LeaversAreNeverInferredFromInputThatIsNotTheWholePopulation(string why)
        {
            Convert(Workers(100), indexFirst: true);
            IRecord[] half = Workers(100, include: i => i <= 50);
            if (why == "no-id")
            {
                half = half.Append(Row(51, ("Id", ""), ("Upn", "x@contoso.com"), ("T", "Clerk"), ("Mgr", null))).ToArray();
            }

            Outcome run = Convert(half, indexFirst: true, o =>
            {
                o.PartialInput = why == "partial";
                o.ExternalIdFilter = why == "filter" ? new HashSet<string>(new[] { "W3" }, StringComparer.OrdinalIgnoreCase) : null;
            }, accept: false);
            Assert.Equal(0, run.Summary!.Leavers);
            Assert.False(run.Summary.LeaversInferred);
            Assert.NotNull(run.Summary.LeaversNote);
            if (why == "no-id")
            {
                Assert.Contains(run.Run.Diagnostics, d => d.ErrorId == "LeaversNotInferred");
            }
        }

        [Fact]
        public void AnUnreadableRowStopsLeaverInference()
        {
            Convert(Workers(100), indexFirst: true);
            var diagnostics = new List<ConversionDiagnostic>();
            using RunState state = RunState.Acquire(Path.Combine(_directory, "job.state"), Guid.NewGuid());
            using var converter = new BulkRequestConverter(Mapping(), new ConversionOptions(), state, diagnostics.Add);
            IRecord[] half = Workers(100, include: i => i <= 50);
            foreach (IRecord record in half)
            {
                converter.Index(record);
            }

            converter.MarkInputIncomplete("'hr.csv' has 1 unreadable row(s)");
            converter.EndIndex();
            foreach (IRecord record in half)
            {
                converter.Add(record);
            }

            Assert.Empty(converter.CompleteAndTakeAll());
            Assert.Contains("unreadable", Assert.Single(diagnostics, d => d.ErrorId == "LeaversNotInferred").Message);
        }

        [Fact]
        public void FullResendsTheUnchangedAndAFailedCycleIsRetried()
        {
            Convert(Workers(20), indexFirst: true);
            Outcome full = Convert(Workers(20), indexFirst: true, o => o.Full = true);
            Assert.Equal(20, full.Summary!.Refreshes);
            Assert.All(Sent(full), s => Assert.Equal(OperationKind.Refresh, s.Kind));

            using (RunState state = RunState.Acquire(Path.Combine(_directory, "job.state"), Guid.NewGuid()))
            {
                state.RecordOutcome("W3", failed: true, DateTimeOffset.UtcNow.AddMinutes(5));
                state.Commit();
            }

            Outcome retry = Convert(Workers(20), indexFirst: true);
            Assert.Equal(("W3", OperationKind.Retry), Assert.Single(Sent(retry)));
            Assert.Empty(Convert(Workers(20), indexFirst: true).Run.Requests);
        }

        [Fact]
        public void ARepeatedWorkerIsUnchangedWhenTheLastRowIsAndALeaverWhoComesBackIsAMover()
        {
            Convert(Workers(10), indexFirst: true);
            IRecord[] repeated = Workers(10).Concat(new[] { Row(11, ("Id", "W4"), ("Upn", "w4@contoso.com"), ("T", "Boss"), ("Mgr", "W2")) })
                .Concat(new[] { Row(12, ("Id", "W4"), ("Upn", "w4@contoso.com"), ("T", "Clerk"), ("Mgr", "W2")) }).ToArray();
            Outcome run = Convert(repeated, indexFirst: true);
            Assert.Empty(run.Run.Requests);
            Assert.Equal(2, run.Summary!.RepeatedRowsLeftOut);

            // One leaver of ten is 10 %, more than the default threshold of 5 %: a real departure needs -Force here.
            Assert.Throws<TooManyLeaversException>(() => Convert(Workers(10, include: i => i != 9), indexFirst: true));
            Convert(Workers(10, include: i => i != 9), indexFirst: true, o => o.AllowManyLeavers = true);
            Outcome back = Convert(Workers(10), indexFirst: true);
            Assert.Equal(("W9", OperationKind.Mover), Assert.Single(Sent(back)));
            Assert.True(back.Run.User("W9").GetProperty("active").GetBoolean());
        }
    }
}
