using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using EntraInboundProvisioning.Internal;
using EntraInboundProvisioning.Scim;
using Xunit;

namespace EntraInboundProvisioning.Tests.Scim
{
    /// <summary>The pieces a run assembles requests with, each on its own: the index, the row choice, held operations, packing, manager order.</summary>
    public sealed class AssemblyPiecesTests
    {
        private static OperationFacts Facts(string id) => new OperationFacts(id, id.ToLowerInvariant() + "@x", active: true, left: false, hash: 7, inputHash: 9, source: "hr");

        private static byte[] Data(string id, int pad = 0) => Encoding.UTF8.GetBytes($"{{\"externalId\":\"{id}\",\"pad\":\"{new string('x', pad)}\"}}");

        [Fact]
        public void TheIndexFindsEveryWorkerAcrossRebuilds()
        {
            var registry = new WorkerRegistry();
            for (int i = 0; i < 5000; i++)
            {
                Assert.Equal(i, registry.Add(new Worker { Key = WorkerKey.Of($"W{i}") }));
            }

            Assert.All(Enumerable.Range(0, 5000), i => Assert.True(registry.Find(WorkerKey.Of($"w{i}"), out int w) && w == i));
            Assert.False(registry.Find(WorkerKey.Of("W5000"), out int none));
            Assert.Equal(-1, none);
        }

        [Theory]
        [InlineData(DuplicateExternalIdHandling.Last, 3L, 1)]
        [InlineData(DuplicateExternalIdHandling.First, 1L, 1)]
        public void TheChoiceKeepsOneRowPerWorkerAndNamesBothRows(DuplicateExternalIdHandling policy, long chosenOrdinal, int warnings)
        {
            var registry = new WorkerRegistry();
            var diagnostics = new List<ConversionDiagnostic>();
            var choice = new RowChoice(policy, registry, new RowPlaces(), diagnostics.Add);
            choice.Register(WorkerKey.Of("A"), "A", "hr.csv", 1, 1, out bool first);
            choice.Register(WorkerKey.Of("B"), "B", "hr.csv", 2, 2, out _);
            choice.Register(WorkerKey.Of("a"), "a", "hr.csv", 3, 3, out bool again);
            Assert.True(first);
            Assert.Equal(policy == DuplicateExternalIdHandling.Last, again);
            Assert.True(choice.IsChosen(WorkerKey.Of("A"), chosenOrdinal, out _));
            Assert.Equal(1, choice.Superseded);
            ConversionDiagnostic warning = Assert.Single(diagnostics);
            Assert.Equal(warnings, diagnostics.Count);
            Assert.Contains("'hr.csv', row 3", warning.Message);
            Assert.Contains("'hr.csv', row 1", warning.Message);
        }

        [Fact]
        public void UnderTheErrorPolicyEveryRepeatIsListedBeforeTheRunStops()
        {
            var diagnostics = new List<ConversionDiagnostic>();
            var choice = new RowChoice(DuplicateExternalIdHandling.Error, new WorkerRegistry(), new RowPlaces(), diagnostics.Add);
            foreach ((string id, long row) in new[] { ("A", 1L), ("B", 2L), ("A", 3L), ("A", 4L) })
            {
                choice.Register(WorkerKey.Of(id), id, "hr.csv", row, row, out _);
            }

            var error = Assert.Throws<DuplicateExternalIdException>(() => choice.ThrowOnRepeats());
            Assert.Equal((1, 3), (error.Workers, error.Rows));
            Assert.Contains("'hr.csv', rows 1, 3 and 4", Assert.Single(diagnostics).Message);
        }

        [Fact]
        public void HeldOperationsComeBackWithTheirFactsAlsoFromTheEncryptedFile()
        {
            using var held = new HeldOperations(new ConversionOptions { MemoryBufferBytes = 64 });
            var ids = Enumerable.Range(0, 200).Select(i => $"W{i}").ToList();
            foreach (string id in ids)
            {
                held.Hold(0, Facts(id), 0, 1, Data(id, 10_000), OperationKind.Mover, 1);
            }

            Assert.True(held.SpilledBytes > 0);
            for (int h = 0; h < ids.Count; h += 37)
            {
                OperationFacts facts = held.Read(h, out ReadOnlySpan<byte> data);
                Assert.Equal((ids[h], ids[h].ToLowerInvariant() + "@x", true, false, 7UL, 9UL, "hr"), (facts.ExternalId, facts.UserName, facts.Active, facts.Left, facts.Hash, facts.InputHash, facts.Source));
                Assert.Equal(Encoding.UTF8.GetString(Data(ids[h], 10_000)), Encoding.UTF8.GetString(data.ToArray()));
                Assert.Equal(ids[h], held.ExternalIdOf(h));
            }
        }

        [Fact]
        public void ARequestThatCompletesReleasesItsWorkersAndCarriesTheirFacts()
        {
            var registry = new WorkerRegistry();
            using var packer = new RequestPacker(2, registry);
            var done = new List<int>();
            packer.Done = done.Add;
            int a = registry.Add(new Worker { Key = WorkerKey.Of("A") });
            int b = registry.Add(new Worker { Key = WorkerKey.Of("B") });
            Assert.False(packer.Place(a, Facts("A"), Data("A"), "hr.csv", 1, OperationKind.Joiner));
            Assert.Empty(done);
            Assert.True(packer.Place(b, Facts("B"), Data("B"), "hr.csv", 2, OperationKind.Mover));
            Assert.Equal(new[] { a, b }, done);
            Assert.True(packer.TryTake(out BulkRequest? request));
            Assert.Equal(new[] { "A", "B" }, request!.Facts!.Select(f => f.ExternalId));
            Assert.Equal(new[] { OperationKind.Joiner, OperationKind.Mover }, request.OperationKinds);
            Assert.Equal((1L, 1L), (packer.Count(OperationKind.Joiner), packer.Count(OperationKind.Mover)));
            Assert.Equal(WorkerProgress.Done, registry[b].Progress);
        }

        [Fact]
        public void AReportWaitsForTheRequestOfTheirManagerAndNamesIt()
        {
            var registry = new WorkerRegistry();
            using var held = new HeldOperations(new ConversionOptions());
            using var packer = new RequestPacker(1, registry);
            var places = new RowPlaces();
            var order = new ManagerOrder(true, 1, registry, held, packer, places, _ => { });
            int boss = registry.Add(new Worker { Key = WorkerKey.Of("BOSS"), FirstWaiter = -1, ChosenHeld = -1 });
            int report = registry.Add(new Worker { Key = WorkerKey.Of("R"), FirstWaiter = -1, ChosenHeld = -1 });
            order.SetManager(boss, WorkerKey.Of("BOSS"), null, "BOSS");
            order.SetManager(report, WorkerKey.Of("R"), WorkerKey.Of("boss"), "R");

            // The report comes first in the input: it waits until the manager's request is complete.
            Assert.True(order.MustWait(report));
            order.Wait(held.Hold(report, Facts("R"), places.IndexOf("hr.csv"), 1, Data("R"), OperationKind.Joiner, 1), report);
            Assert.Equal(1, order.Waiting);
            order.Place(boss, Facts("BOSS"), Data("BOSS"), null, 2, OperationKind.Joiner);

            // Requests are written as they are taken: once the manager's is taken, the report is placed.
            Assert.True(packer.TryTake(out BulkRequest? first));
            Assert.Equal(1, order.Waiting);
            order.Progress();
            Assert.Equal(0, order.Waiting);
            Assert.True(packer.TryTake(out BulkRequest? second));
            Assert.Equal(("BOSS", "R"), (first!.ExternalIds.Single(), second!.ExternalIds.Single()));
            Assert.Equal(first.Index, second.DependsOn);
        }

        [Fact]
        public void TheAssemblerIsChosenByHowTheInputComes()
        {
            var options = new ConversionOptions();
            Assert.IsType<TwoPassAssembler>(OperationAssembler.Create(options, orderManagers: false, decidesLeavers: false, _ => { }, rereadable: true));
            Assert.IsType<HeldAssembler>(OperationAssembler.Create(options, orderManagers: false, decidesLeavers: false, _ => { }, rereadable: false));
            var first = new ConversionOptions { DuplicateExternalId = DuplicateExternalIdHandling.First };
            Assert.IsType<DirectAssembler>(OperationAssembler.Create(first, orderManagers: false, decidesLeavers: false, _ => { }, rereadable: true));
            Assert.IsType<TwoPassAssembler>(OperationAssembler.Create(first, orderManagers: true, decidesLeavers: false, _ => { }, rereadable: true));
            var heap = new OrdinalHeap();
            foreach ((int item, long ordinal) in new[] { (1, 30L), (2, 10L), (3, 20L) })
            {
                heap.Push(item, ordinal);
            }

            Assert.Equal(new[] { 2, 3, 1 }, new[] { heap.Pop(), heap.Pop(), heap.Pop() });
        }
    }
}
