using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using EntraInboundProvisioning.Logs;
using EntraInboundProvisioning.State;
using Xunit;

namespace EntraInboundProvisioning.Tests.State
{
    /// <summary>Learning outcomes a page at a time: the newest entry of a worker wins in whatever order pages come.</summary>
    public sealed class OutcomeLearnerTests : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("eip-learner-").FullName;

        public void Dispose() => Directory.Delete(_directory, true);

        private static ProvisioningLogEntry Entry(string externalId, DateTimeOffset at, string status)
        {
            string json = JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["id"] = Guid.NewGuid().ToString(),
                ["activityDateTime"] = at.ToString("o"),
                ["cycleId"] = "c",
                ["sourceIdentity"] = new Dictionary<string, object?> { ["id"] = externalId },
                ["provisioningStatusInfo"] = new Dictionary<string, object?> { ["status"] = status, ["errorInformation"] = status == "failure" ? new Dictionary<string, object?> { ["errorCode"] = "X", ["reason"] = "bad" } : null },
            });
            using JsonDocument document = JsonDocument.Parse(json);
            return ProvisioningLogEntryReader.Read(document.RootElement, keepRawJson: false);
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void TheNewestEntryOfAWorkerWinsWhateverTheOrderOfThePages(bool newestFirst)
        {
            DateTimeOffset accepted = DateTimeOffset.UtcNow.AddMinutes(-30);
            using RunState state = RunState.Acquire(Path.Combine(_directory, "s.state"), Guid.NewGuid());
            state.RecordAccepted(RunStateTests.Request(("A", "a@x", true, "Clerk"), ("B", "b@x", true, "Cook")), accepted);
            var entries = new[]
            {
                Entry("A", accepted.AddMinutes(5), "failure"),
                Entry("A", accepted.AddMinutes(10), "success"),
                Entry("B", accepted.AddMinutes(6), "success"),
                Entry("B", accepted.AddMinutes(12), "failure"),
                Entry("nobody", accepted.AddMinutes(7), "failure"),
            }.OrderBy(e => e.ActivityDateTime).ToList();
            if (newestFirst)
            {
                entries.Reverse();
            }

            var learner = new OutcomeLearner(state);
            foreach (ProvisioningLogEntry entry in entries)
            {
                learner.Learn(entry);
            }

            // A's newest is a success, B's a failure: one retry, B's.
            Assert.Equal(1, state.PendingRetries);
            Assert.Equal(newestFirst ? 2 : 4, learner.Learned);
            Assert.Empty(learner.AwaitingOutcome(accepted.AddMinutes(-1)));
        }

        [Fact]
        public void NamesTheWorkersAcceptedSinceATimeThatAwaitAnOutcome()
        {
            DateTimeOffset earlier = DateTimeOffset.UtcNow.AddHours(-3);
            DateTimeOffset now = DateTimeOffset.UtcNow;
            using RunState state = RunState.Acquire(Path.Combine(_directory, "s.state"), Guid.NewGuid());
            state.RecordAccepted(RunStateTests.Request(("OLD", "o@x", true, "Clerk")), earlier);
            state.RecordAccepted(RunStateTests.Request(("A", "a@x", true, "Clerk"), ("B", "b@x", true, "Cook"), ("C", "c@x", false, "Cook")), now);
            var learner = new OutcomeLearner(state);
            learner.Learn(Entry("B", now.AddMinutes(5), "success"));

            List<KeyValuePair<string, DateTimeOffset>> awaiting = learner.AwaitingOutcome(now.AddMinutes(-10)).ToList();
            Assert.Equal(new[] { "A", "C" }, awaiting.Select(p => p.Key).OrderBy(k => k));
            Assert.All(awaiting, p => Assert.Equal(now.ToUnixTimeSeconds(), p.Value.ToUnixTimeSeconds()));
            Assert.Contains("OLD", learner.AwaitingOutcome(earlier.AddMinutes(-1)).Select(p => p.Key));
        }
    }
}
