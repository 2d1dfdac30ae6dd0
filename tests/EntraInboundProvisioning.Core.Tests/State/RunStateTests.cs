using System;
using System.IO;
using System.Linq;
using System.Text;
using EntraInboundProvisioning.Scim;
using EntraInboundProvisioning.State;
using Xunit;

namespace EntraInboundProvisioning.Tests.State
{
    /// <summary>The run state: what the service accepted, kept crash-safe in one file, locked against a second run.</summary>
    public sealed class RunStateTests : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("eip-state-").FullName;

        private string StatePath => Path.Combine(_directory, "contoso.state");

        public void Dispose() => Directory.Delete(_directory, true);

        internal static string Request(params (string Id, string? UserName, bool Active, string Title)[] users)
        {
            var json = new StringBuilder("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"],\"Operations\":[");
            json.Append(string.Join(",", users.Select(u => $"{{\"method\":\"POST\",\"bulkId\":\"{u.Id}\",\"path\":\"/Users\",\"data\":{Data(u.Id, u.UserName, u.Active, u.Title)}}}")));
            return json.Append("]}").ToString();
        }

        internal static string Data(string id, string? userName, bool active, string title)
            => $"{{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"externalId\":\"{id}\"{(userName is null ? string.Empty : $",\"userName\":\"{userName}\"")},\"title\":\"{title}\",\"active\":{(active ? "true" : "false")}}}";

        private static ulong Hash(string json) => RunState.HashOf(Encoding.UTF8.GetBytes(json));

        private static OperationKind? Classify(RunState state, WorkerKey key, ulong hash, bool full) => state.Classify(key, hash, full);

        [Fact]
        public void TheHashIsMurmurThreeOverTheBytes()
        {
            // Published vector of MurmurHash3 x64 128 with seed 0: "hello".
            (ulong high, ulong low) = EntraInboundProvisioning.Internal.Murmur3.Hash128(Encoding.ASCII.GetBytes("hello"), 0);
            Assert.Equal(0xcbd8a7b341bd9b02UL, high);
            Assert.Equal(0x5b1e906a48ae1d19UL, low);
            Assert.Equal((0UL, 0UL), EntraInboundProvisioning.Internal.Murmur3.Hash128(ReadOnlySpan<byte>.Empty, 0));
        }

        [Fact]
        public void TheHashMixesWholeBlocksAndBothHalvesOfTheTail()
        {
            // Published vector: 43 bytes are two 16-byte blocks and an 11-byte tail (both tail words).
            byte[] fox = Encoding.ASCII.GetBytes("The quick brown fox jumps over the lazy dog");
            (ulong high, ulong low) = EntraInboundProvisioning.Internal.Murmur3.Hash128(fox, 0);
            Assert.Equal(0xe34bbc7bbc071b6cUL, high);
            Assert.Equal(0x7a433ca9c49a9347UL, low);

            // The string form hashes the UTF-16LE bytes of the text, whatever its length modulo a block.
            foreach (string text in new[] { string.Empty, "a", "abcd", "abcde", "abcdefgh", "21007-\u00e9\u00e8", fox.Length.ToString(System.Globalization.CultureInfo.InvariantCulture) + " workers of Contoso Ltd." })
            {
                Assert.Equal(EntraInboundProvisioning.Internal.Murmur3.Hash128(Encoding.Unicode.GetBytes(text), 7), EntraInboundProvisioning.Internal.Murmur3.Hash128(text, 7));
            }
        }

        [Fact]
        public void WhatWasAcceptedIsKnownUnchangedAfterACommitAndReopen()
        {
            var owner = Guid.NewGuid();
            using (RunState state = RunState.Acquire(StatePath, owner))
            {
                Assert.Equal(0, state.Workers);
                state.BindJob("sp", "job");
                Assert.Equal(2, state.RecordAccepted(Request(("A", "a@x", true, "Clerk"), ("B", "b@x", false, "Cook")), DateTimeOffset.UtcNow));
                state.Commit();
            }

            Assert.False(File.Exists(StatePath + ".journal"));
            using RunState reopened = RunState.Acquire(StatePath, Guid.NewGuid());
            Assert.Equal(2, reopened.Workers);
            Assert.Equal(1, reopened.ActiveWorkers);
            Assert.Equal("job", reopened.JobId);
            Assert.Null(Classify(reopened, WorkerKey.Of("a"), Hash(Data("A", "a@x", true, "Clerk")), full: false));
            Assert.Equal(OperationKind.Mover, Classify(reopened, WorkerKey.Of("A"), Hash(Data("A", "a@x", true, "Chef")), full: false));
            Assert.Equal(OperationKind.Refresh, Classify(reopened, WorkerKey.Of("A"), Hash(Data("A", "a@x", true, "Clerk")), full: true));
            Assert.Equal(OperationKind.Joiner, Classify(reopened, WorkerKey.Of("C"), 42, full: false));
            MissingWorker leaver = Assert.Single(reopened.Missing(k => k == WorkerKey.Of("B")));
            Assert.Equal(("A", "a@x", true), (leaver.ExternalId, leaver.UserName, leaver.IsNew));
        }

        [Fact]
        public void ARefusedRunGoesOnRecordOnlyForAStateAlreadySavedAndChangesNoWorker()
        {
            var started = DateTimeOffset.UtcNow.AddSeconds(-3);
            using (RunState fresh = RunState.Acquire(StatePath, Guid.NewGuid()))
            {
                // Nothing to compare with yet: a refused first run leaves no file behind.
                Assert.False(fresh.RecordRefusal(started, "TooManyLeavers", "3 of 4"));
            }

            Assert.False(File.Exists(StatePath));
            using (RunState state = RunState.Acquire(StatePath, Guid.NewGuid()))
            {
                state.BindJob("sp", "job");
                state.RecordAccepted(Request(("A", "a@x", true, "Clerk"), ("B", "b@x", true, "Cook")), DateTimeOffset.UtcNow);
                state.Commit(new RunRecord { StartedAt = started, CompletedAt = DateTimeOffset.UtcNow, JobId = "job" });
                Assert.True(state.RecordRefusal(started.AddSeconds(1), "TooManyLeavers", "2 of the 2 active workers would leave."));
            }

            using RunState reopened = RunState.Acquire(StatePath, Guid.NewGuid());
            Assert.Equal(2, reopened.History.Count);
            Assert.Equal("TooManyLeavers: 2 of the 2 active workers would leave.", reopened.LastRun!.Refused);
            Assert.Equal(started.AddSeconds(1), reopened.LastRun.StartedAt);
            Assert.Equal((2, 2), (reopened.Workers, reopened.ActiveWorkers));
        }

        [Fact]
        public void AStateForAnotherJobIsRefused()
        {
            using RunState state = RunState.Acquire(StatePath, Guid.NewGuid());
            state.BindJob("sp", "job-1");
            state.BindJob("sp", "JOB-1");
            var error = Assert.Throws<InvalidOperationException>(() => state.BindJob("sp", "job-2"));
            Assert.Contains("belongs to job job-1", error.Message);
        }

        [Fact]
        public void ASecondRunIsRefusedWhileTheFirstHoldsTheState()
        {
            var owner = Guid.NewGuid();
            using RunState first = RunState.Acquire(StatePath, owner);
            using (RunState sharedInThePipeline = RunState.Acquire(StatePath, owner))
            {
                Assert.Same(first, sharedInThePipeline);
            }

            var error = Assert.Throws<RunStateInUseException>(() => RunState.Acquire(StatePath, Guid.NewGuid()));
            Assert.Contains("in use by another run", error.Message);

            // Another process opens the lock file as this one would: the operating system refuses it.
            Assert.Throws<IOException>(() => new FileStream(StatePath + ".lock", FileMode.Open, FileAccess.ReadWrite, FileShare.None).Dispose());
        }

        [Fact]
        public void TheLockGoesWithTheLastUser()
        {
            var owner = Guid.NewGuid();
            RunState first = RunState.Acquire(StatePath, owner);
            RunState second = RunState.Acquire(StatePath, owner);
            first.Dispose();
            Assert.Throws<RunStateInUseException>(() => RunState.Acquire(StatePath, Guid.NewGuid()));
            second.Dispose();
            using RunState again = RunState.Acquire(StatePath, Guid.NewGuid());
            Assert.Equal(0, again.Workers);
        }

        [Fact]
        public void AcceptedRecordsOfARunThatDiedBeforeCommittingComeBackFromTheJournal()
        {
            using (RunState committed = RunState.Acquire(StatePath, Guid.NewGuid()))
            {
                committed.RecordAccepted(Request(("A", "a@x", true, "Clerk")), DateTimeOffset.UtcNow);
                committed.Commit();
            }

            // A run accepted two more requests, then died: no commit. The last journal line was cut in half.
            using (RunState died = RunState.Acquire(StatePath, Guid.NewGuid()))
            {
                died.RecordAccepted(Request(("B", "b@x", true, "Cook")), DateTimeOffset.UtcNow);
                died.RecordAccepted(Request(("A", "a@x", true, "Chef")), DateTimeOffset.UtcNow);
            }

            File.AppendAllText(StatePath + ".journal", "{\"at\":1,\"records\":[{\"x\":\"Z\"");
            using RunState next = RunState.Acquire(StatePath, Guid.NewGuid());
            Assert.Equal(2, next.ReplayedFromJournal);
            Assert.Equal(2, next.Workers);
            Assert.Null(Classify(next, WorkerKey.Of("A"), Hash(Data("A", "a@x", true, "Chef")), full: false));
            Assert.Null(Classify(next, WorkerKey.Of("B"), Hash(Data("B", "b@x", true, "Cook")), full: false));
            next.Commit();
            Assert.False(File.Exists(StatePath + ".journal"));
        }

        [Fact]
        public void ADamagedOrTruncatedStateIsRefusedNotReadAsASmallerCompany()
        {
            using (RunState state = RunState.Acquire(StatePath, Guid.NewGuid()))
            {
                state.RecordAccepted(Request(Enumerable.Range(1, 50).Select(i => ($"W{i}", (string?)$"w{i}@x", true, "T")).ToArray()), DateTimeOffset.UtcNow);
                state.Commit();
            }

            byte[] good = File.ReadAllBytes(StatePath);
            File.WriteAllBytes(StatePath, good.Take(good.Length - 10).ToArray());
            var truncated = Assert.Throws<InvalidDataException>(() => RunState.Acquire(StatePath, Guid.NewGuid()));
            Assert.Contains("damaged or incomplete", truncated.Message);

            byte[] flipped = (byte[])good.Clone();
            flipped[good.Length / 2] ^= 0x40;
            File.WriteAllBytes(StatePath, flipped);
            Assert.Throws<InvalidDataException>(() => RunState.Acquire(StatePath, Guid.NewGuid()));

            File.WriteAllText(StatePath, "not a state at all, but long enough to have a checksum...........");
            Assert.Throws<InvalidDataException>(() => RunState.Acquire(StatePath, Guid.NewGuid()));

            File.WriteAllBytes(StatePath, good);
            using RunState restored = RunState.Acquire(StatePath, Guid.NewGuid());
            Assert.Equal(50, restored.Workers);
        }

        [Fact]
        public void AFailedCycleMarksTheWorkerForRetryUntilASuccess()
        {
            DateTimeOffset accepted = DateTimeOffset.UtcNow;
            using RunState state = RunState.Acquire(StatePath, Guid.NewGuid());
            state.RecordAccepted(Request(("A", "a@x", true, "Clerk")), accepted);
            ulong hash = Hash(Data("A", "a@x", true, "Clerk"));
            Assert.False(state.RecordOutcome("A", failed: true, accepted.AddHours(-2)), "an outcome of an older upload is ignored");
            Assert.True(state.RecordOutcome("a", failed: true, accepted.AddMinutes(5)));
            Assert.Equal(OperationKind.Retry, Classify(state, WorkerKey.Of("A"), hash, full: false));
            Assert.Equal(1, state.PendingRetries);
            Assert.True(state.RecordOutcome("A", failed: false, accepted.AddMinutes(50)));
            Assert.Null(Classify(state, WorkerKey.Of("A"), hash, full: false));
            Assert.False(state.RecordOutcome("nobody", failed: true, accepted));
        }

        [Fact]
        public void ALeaverIsRememberedAsInactiveSoTheNextRunDoesNotSendItAgain()
        {
            using RunState state = RunState.Acquire(StatePath, Guid.NewGuid());
            state.RecordAccepted(Request(("A", "a@x", true, "Clerk"), ("B", "b@x", true, "Cook")), DateTimeOffset.UtcNow);
            Assert.Equal(2, state.ActiveWorkers);
            state.RecordAccepted("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"],\"Operations\":[{\"method\":\"POST\",\"bulkId\":\"x\",\"path\":\"/Users\",\"data\":{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"externalId\":\"B\",\"userName\":\"b@x\",\"active\":false}}]}", DateTimeOffset.UtcNow);
            Assert.Equal(1, state.ActiveWorkers);
            Assert.Empty(state.Missing(k => k == WorkerKey.Of("A")));
        }

        [Theory]
        [InlineData("5%", 1000, 50)]
        [InlineData("10 %", 999, 99)]
        [InlineData("500", 10, 500)]
        [InlineData("0", 10, 0)]
        public void ThresholdsAreAPercentageOrACount(string text, int active, int allowed)
            => Assert.Equal(allowed, new LeaverThreshold(text).Allowed(active));

        [Theory]
        [InlineData("five")]
        [InlineData("-3")]
        [InlineData("101%")]
        public void ABadThresholdSaysWhatItTakes(string text)
            => Assert.ThrowsAny<Exception>(() => new LeaverThreshold(text));
    }
}
