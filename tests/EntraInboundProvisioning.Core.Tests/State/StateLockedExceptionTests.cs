using System;
using System.IO;
using System.Linq;
using EntraInboundProvisioning.State;
using Xunit;

namespace EntraInboundProvisioning.Tests.State
{
    /// <summary>
    /// A state file another process holds open is told apart from a damaged one: the first is worth trying again, the
    /// second needs a restore. The lock is real: a FileStream that shares the file with nobody, as a backup or antivirus
    /// program holds it (on Windows a sharing violation; on Unix the advisory lock .NET takes for FileShare.None).
    /// </summary>
    public sealed class StateLockedExceptionTests : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("eip-locked-").FullName;

        private string StatePath => Path.Combine(_directory, "contoso.state");

        public void Dispose() => Directory.Delete(_directory, true);

        private void SaveState()
        {
            using RunState state = RunState.Acquire(StatePath, Guid.NewGuid());
            state.RecordAccepted(RunStateTests.Request(("W1", "w1@x", true, "T")), DateTimeOffset.UtcNow);
            state.Commit(new RunRecord { StartedAt = DateTimeOffset.UtcNow, CompletedAt = DateTimeOffset.UtcNow });
        }

        private static FileStream HoldExclusively(string path) => new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);

        [Fact]
        public void AStateHeldOpenByAnotherProgramIsLockedForTheReaderTheReportAndARun()
        {
            SaveState();
            using (HoldExclusively(StatePath))
            {
                StateLockedException read = Assert.Throws<StateLockedException>(() => ProvisioningStateReader.Read(StatePath));
                Assert.Contains(StatePath, read.Message, StringComparison.Ordinal);
                Assert.Contains("in use by another process", read.Message, StringComparison.Ordinal);
                Assert.IsType<IOException>(read.InnerException, exactMatch: true);
                Assert.Throws<StateLockedException>(() => EntraInboundProvisioning.Reports.ProvisioningReport.Read(StatePath));
                Assert.Throws<StateLockedException>(() => RunState.Acquire(StatePath, Guid.NewGuid()));
            }

            // Closed again: the same reads succeed, and a run could take the state (its lock was released on the refusal).
            Assert.Equal(1, ProvisioningStateReader.Read(StatePath).State.Workers);
            using RunState state = RunState.Acquire(StatePath, Guid.NewGuid());
            Assert.Equal(1, state.Workers);
        }

        [Fact]
        public void AJournalHeldOpenByAnotherProgramIsLockedToo()
        {
            SaveState();
            using (RunState state = RunState.Acquire(StatePath, Guid.NewGuid()))
            {
                state.RecordAccepted(RunStateTests.Request(("W2", "w2@x", true, "T")), DateTimeOffset.UtcNow);
            }

            using (HoldExclusively(StateFiles.Journal(StatePath)))
            {
                StateLockedException ex = Assert.Throws<StateLockedException>(() => ProvisioningStateReader.Read(StatePath));
                Assert.Contains(StateFiles.Journal(StatePath), ex.Message, StringComparison.Ordinal);
            }

            Assert.Equal(2, ProvisioningStateReader.Read(StatePath).State.Workers);
        }

        [Fact]
        public void ADamagedStateIsStillUnreadableNotLocked()
        {
            SaveState();
            byte[] good = File.ReadAllBytes(StatePath);
            File.WriteAllBytes(StatePath, good.Take(good.Length - 10).ToArray());
            Assert.Throws<InvalidDataException>(() => ProvisioningStateReader.Read(StatePath));
            Assert.Throws<InvalidDataException>(() => RunState.Acquire(StatePath, Guid.NewGuid()));
        }

        [Fact]
        public void OnlyASharingOrLockViolationSaysTheFileIsHeldElsewhere()
        {
            Assert.True(StateLockedException.IsHeldElsewhere(new IOException("sharing", unchecked((int)0x80070020))));
            Assert.True(StateLockedException.IsHeldElsewhere(new IOException("lock", unchecked((int)0x80070021))));
            Assert.False(StateLockedException.IsHeldElsewhere(new IOException("disk error")));
            Assert.False(StateLockedException.IsHeldElsewhere(new IOException("access denied", unchecked((int)0x80070005))));
            Assert.False(StateLockedException.IsHeldElsewhere(new EndOfStreamException()));
            Assert.False(StateLockedException.IsHeldElsewhere(new FileNotFoundException()));
            Assert.False(StateLockedException.IsHeldElsewhere(new DirectoryNotFoundException()));
        }
    }
}
