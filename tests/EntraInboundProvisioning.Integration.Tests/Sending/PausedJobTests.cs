using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Graph;
using EntraInboundProvisioning.GraphEmulator;
using EntraInboundProvisioning.IntegrationTests.EmulatorRules;
using EntraInboundProvisioning.Scim;
using EntraInboundProvisioning.Sending;
using Xunit;

namespace EntraInboundProvisioning.IntegrationTests.Sending
{
    /// <summary>-RestartService against the emulator: pause, upload, start again in every case, never restart.</summary>
    public class PausedJobTests
    {
        private static SendOptions Fast() => new SendOptions { Window = TimeSpan.FromSeconds(2), RetryBaseDelay = TimeSpan.FromMilliseconds(20), MaxRetryDelay = TimeSpan.FromMilliseconds(50), MaxAttempts = 2, JitterSeed = 1 };

        private static bool IsRestart(ReceivedRequest request) => request.Path.EndsWith("/restart", StringComparison.OrdinalIgnoreCase);

        [Fact]
        public async Task TheJobRunsAgainAfterAFailedUploadAndIsNeverRestarted()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            ProvisioningApi api = emulator.SecretSession();
            string sp = emulator.State.DefaultServicePrincipalId, job = emulator.State.DefaultJobId;

            PausedJob paused = await PausedJob.PauseAsync(api, sp, job, CancellationToken.None);
            Assert.Equal("Paused", emulator.State.JobStatus(job));
            emulator.State.Faults = new FaultPlan { Error503 = 1.0 };
            List<BulkUploadResult> results;
            try
            {
                results = BulkUploadSenderTests.SendAll(emulator, api, new[] { new BulkRequest(1, GraphEmulatorTests.Bulk("P1"), new[] { "P1" }) }, Fast());
            }
            finally
            {
                emulator.State.Faults = new FaultPlan();
                Assert.Null(await paused.StartAgainAsync());
            }

            Assert.Equal(BulkUploadStatus.Failed, Assert.Single(results).Status);
            Assert.Equal("Active", emulator.State.JobStatus(job));
            Assert.DoesNotContain(emulator.State.Requests, IsRestart);
        }

        [Fact]
        public async Task TheJobRunsAgainAfterAStoppedUploadAndStartsOnlyOnce()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            ProvisioningApi api = emulator.SecretSession();
            string sp = emulator.State.DefaultServicePrincipalId, job = emulator.State.DefaultJobId;
            emulator.State.Latency = TimeSpan.FromSeconds(2);

            PausedJob paused = await PausedJob.PauseAsync(api, sp, job, CancellationToken.None);
            using (var stop = new CancellationTokenSource())
            using (var sender = new BulkUploadSender(api, sp, job, Fast(), null, false, stop.Token))
            {
                Assert.True(sender.TryPost(new BulkRequest(1, GraphEmulatorTests.Bulk("S1"), new[] { "S1" }), TimeSpan.FromSeconds(1)));
                await Task.Delay(300);
                sender.Stop();
                BulkUploadResult? result = null;
                while (!sender.IsFinished || result is null)
                {
                    result ??= sender.Next(TimeSpan.FromMilliseconds(50));
                }

                Assert.Equal(BulkUploadStatus.NotSent, result.Status);
            }

            emulator.State.Latency = TimeSpan.Zero;
            Assert.Null(await paused.StartAgainAsync());
            Assert.Null(await paused.StartAgainAsync());
            Assert.False(paused.IsPaused);
            Assert.Equal("Active", emulator.State.JobStatus(job));
            Assert.Equal(1, emulator.State.Requests.Count(r => r.Path.EndsWith("/start", StringComparison.OrdinalIgnoreCase)));
            Assert.DoesNotContain(emulator.State.Requests, IsRestart);
        }
    }
}
