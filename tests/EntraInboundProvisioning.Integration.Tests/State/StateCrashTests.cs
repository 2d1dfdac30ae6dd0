using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.State;
using Xunit;

namespace EntraInboundProvisioning.IntegrationTests.State
{
    /// <summary>kill -9 a process that commits a run state over and over: the file is always the old one or the new one.</summary>
    public sealed class StateCrashTests : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("eip-crash-").FullName;

        public void Dispose() => Directory.Delete(_directory, true);

        private static Process StartHost(string statePath, int workers)
        {
            string host = typeof(StateCrashHost.Program).Assembly.Location;
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
            foreach (string argument in new[] { host, statePath, workers.ToString(System.Globalization.CultureInfo.InvariantCulture) })
            {
                start.ArgumentList.Add(argument);
            }

            return Process.Start(start)!;
        }

        [Fact]
        public async Task KilledWhileCommittingTheStateIsTheOldOrTheNewNeverTorn()
        {
            string statePath = Path.Combine(_directory, "crash.state");
            const int workers = 100_000;
            var random = new Random(9);
            DateTimeOffset lastSaved = DateTimeOffset.MinValue;
            int killedMidWrite = 0;
            for (int attempt = 0; attempt < 12; attempt++)
            {
                using Process host = StartHost(statePath, workers);
                int committed = 0;
                var firstCommit = new TaskCompletionSource();
                _ = Task.Run(async () =>
                {
                    while (await host.StandardOutput.ReadLineAsync() is string line)
                    {
                        if (line.StartsWith("committed ", StringComparison.Ordinal))
                        {
                            Interlocked.Increment(ref committed);
                            firstCommit.TrySetResult();
                        }
                    }
                });

                // Kill at a random moment after the first commit, or (every other time) the moment a new state file
                // is being written beside the old one.
                await Task.WhenAny(firstCommit.Task, Task.Delay(TimeSpan.FromSeconds(60)));
                Assert.True(firstCommit.Task.IsCompleted, "the host never committed");
                if (attempt % 2 == 0)
                {
                    var clock = Stopwatch.StartNew();
                    while (Directory.GetFiles(_directory, ".crash.state.*.tmp").Length == 0 && clock.Elapsed < TimeSpan.FromSeconds(20))
                    {
                        await Task.Delay(1);
                    }
                }
                else
                {
                    await Task.Delay(random.Next(0, 600));
                }

                host.Kill();
                await host.WaitForExitAsync();
                killedMidWrite += Directory.GetFiles(_directory, ".crash.state.*.tmp").Length > 0 ? 1 : 0;

                // Whatever the moment, the state reads whole, with every worker, and it is the last one saved or a newer one;
                // a request accepted after that save comes back from the journal, and the last run says so.
                (ProvisioningStateInfo info, _) = ProvisioningStateReader.Read(statePath);
                Assert.Equal(workers, info.Workers);
                Assert.NotNull(info.LastRun);
                Assert.NotNull(info.SavedAt);
                Assert.True(info.SavedAt >= lastSaved, $"saved {info.SavedAt:o} after {lastSaved:o}: an older state came back");
                Assert.Equal(info.UnsavedRecords > 0, info.LastRun!.Recovered);
                Assert.Equal(info.UnsavedRecords, info.LastRun.Recovered ? info.LastRun.AcceptedRecords : 0);
                lastSaved = info.SavedAt!.Value;
            }

            // The next run clears the temporary files that killed commits left, and commits normally.
            using (RunState state = RunState.Acquire(statePath, Guid.NewGuid()))
            {
                Assert.Empty(Directory.GetFiles(_directory, ".crash.state.*.tmp"));
                state.Commit(new RunRecord { Requests = 1 });
            }

            Assert.Equal(workers, ProvisioningStateReader.Read(statePath).State.Workers);
            Assert.True(killedMidWrite > 0, "no kill landed while a state file was being written; the test proves little");
        }
    }
}
