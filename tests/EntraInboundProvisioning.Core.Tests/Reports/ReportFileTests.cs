using System;
using System.IO;
using EntraInboundProvisioning.Reports;
using EntraInboundProvisioning.State;
using Xunit;

namespace EntraInboundProvisioning.Tests.Reports
{
    /// <summary>The report's file: the whole page or nothing, and never a partial file left behind.</summary>
    public sealed class ReportFileTests : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("eip-reportfile-").FullName;

        public void Dispose() => Directory.Delete(_directory, true);

        private ProvisioningReport Report()
        {
            string state = Path.Combine(_directory, "contoso.state");
            using (RunState run = RunState.Acquire(state, Guid.NewGuid()))
            {
                run.Commit(new RunRecord { StartedAt = DateTimeOffset.UtcNow, CompletedAt = DateTimeOffset.UtcNow });
            }

            return ProvisioningReport.Read(state);
        }

        [Fact]
        public void ThePageReplacesAnOlderOneWhole()
        {
            string path = Path.Combine(_directory, "today.html");
            File.WriteAllText(path, "yesterday");
            ReportFile.Write(Report(), path);
            Assert.StartsWith("<!DOCTYPE html>", File.ReadAllText(path), StringComparison.Ordinal);
            Assert.False(File.Exists(path + ReportFile.PartialSuffix));
        }

        [Fact]
        public void AWriteThatFailsLeavesNoPartialFile()
        {
            // The page is written, but a folder is in the way of moving it into place.
            string folder = Path.Combine(_directory, "reports");
            Directory.CreateDirectory(folder);
            Assert.ThrowsAny<IOException>(() => ReportFile.Write(Report(), folder));
            Assert.False(File.Exists(folder + ReportFile.PartialSuffix));
            Assert.True(Directory.Exists(folder));
        }

        [Fact]
        public void TheDefaultNameIsTheStatesWithTheUtcTime()
            => Assert.Equal("contoso-report-20261203-060512.html", ReportFile.DefaultName(Path.Combine(_directory, "contoso.state"), new DateTimeOffset(2026, 12, 3, 7, 5, 12, TimeSpan.FromHours(1))));
    }
}
