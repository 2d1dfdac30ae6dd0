using System;
using System.IO;
using EntraInboundProvisioning.State;
using Xunit;

namespace EntraInboundProvisioning.Tests.State
{
    /// <summary>The files a state is made of, which nothing else may write over.</summary>
    public sealed class StateFilesTests
    {
        private static readonly string Folder = Path.Combine(Path.GetTempPath(), "eip-files");

        private static string StatePath => Path.Combine(Folder, "contoso.state");

        [Theory]
        [InlineData("contoso.state")]
        [InlineData("contoso.state.journal")]
        [InlineData("contoso.state.lock")]
        [InlineData("CONTOSO.State")]
        [InlineData(".contoso.state.0123456789abcdef0123456789abcdef.tmp")]
        public void TheStateItsJournalItsLockAndASaveInProgressAreFilesOfTheState(string name)
            => Assert.True(StateFiles.Holds(StatePath, Path.Combine(Folder, name)));

        [Theory]
        [InlineData("contoso.html")]
        [InlineData("contoso.state.html")]
        [InlineData("contoso-report-20261203-060512.html")]
        [InlineData("other.state")]
        [InlineData(".contoso.state.x.tmp")]
        public void OtherFilesBesideTheStateAreNot(string name)
            => Assert.False(StateFiles.Holds(StatePath, Path.Combine(Folder, name)));

        [Fact]
        public void APathIsComparedWhenResolvedAndTheSameNameElsewhereIsNotTheState()
        {
            Assert.True(StateFiles.Holds(StatePath, Path.Combine(Folder, "sub", "..", "contoso.state")));
            Assert.False(StateFiles.Holds(StatePath, Path.Combine(Folder, "sub", "contoso.state")));
            Assert.False(StateFiles.Holds(StatePath, Path.Combine(Folder, "sub", ".contoso.state.0123456789abcdef0123456789abcdef.tmp")));
        }
    }
}
