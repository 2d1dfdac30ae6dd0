using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Auth;
using EntraInboundProvisioning.Graph;
using EntraInboundProvisioning.GraphEmulator;
using EntraInboundProvisioning.IntegrationTests.EmulatorRules;
using EntraInboundProvisioning.IntegrationTests.Sending;
using EntraInboundProvisioning.Scim;
using EntraInboundProvisioning.Sending;
using Xunit;

namespace EntraInboundProvisioning.IntegrationTests.Auth
{
    /// <summary>
    /// Everything Core hands back to the cmdlets (results, errors, journal lines, account names) from a run that
    /// succeeds, retries, is refused and fails sign-in, searched for the client secret and every token issued.
    /// The Pester suite does the same for every PowerShell stream of a verbose and debug run.
    /// </summary>
    public class SecretLeakTests
    {
        [Fact]
        public async Task NeitherTheSecretNorATokenReachesResultsErrorsOrTheJournal()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync(new EmulatorOptions { Seed = 4 });
            emulator.State.TokenLifetime = TimeSpan.FromSeconds(3);
            string secret = emulator.State.DefaultClientSecret;
            ProvisioningApi api = emulator.SecretSession();
            var tokens = new HashSet<string>(StringComparer.Ordinal);
            var seen = new List<string>();
            string journalPath = Path.Combine(Path.GetTempPath(), "leak-" + Guid.NewGuid().ToString("N") + ".jsonl");
            try
            {
                tokens.Add((await api.Graph.Tokens.GetTokenAsync(false, CancellationToken.None)).Value);
                emulator.State.Faults = new FaultPlan { Throttle429 = 0.1, Error503 = 0.1, DropBeforeAccept = 0.1 };
                var requests = Enumerable.Range(1, 12).Select(i => new BulkRequest(i, GraphEmulatorTests.Bulk($"L{i}"), new[] { $"L{i}" })).ToList();
                requests.Add(new BulkRequest(13, GraphEmulatorTests.Bulk("BAD").Replace("/Users", "/Groups", StringComparison.Ordinal), new[] { "BAD" }));
                var options = new SendOptions { Window = TimeSpan.FromSeconds(1), CallsPerWindow = 4, RetryBaseDelay = TimeSpan.FromMilliseconds(30), MaxRetryDelay = TimeSpan.FromMilliseconds(200), MaxAttempts = 8, JitterSeed = 2 };
                using (UploadJournal journal = UploadJournal.Open(journalPath, out _))
                {
                    // Short-lived tokens: the run renews several times, and every token issued is searched for.
                    foreach (BulkUploadResult result in BulkUploadSenderTests.SendAll(emulator, api, requests, options, journal))
                    {
                        seen.Add(string.Join("|", result.ToString(), result.Error, result.ErrorCode, result.RequestId, result.ClientRequestId, result.Location, string.Join(",", result.ExternalIds)));
                        tokens.Add((await api.Graph.Tokens.GetTokenAsync(false, CancellationToken.None)).Value);
                    }
                }

                seen.Add(File.ReadAllText(journalPath));
                seen.Add(api.Graph.Tokens.Account);
                seen.Add((await api.Graph.Tokens.GetTokenAsync(false, CancellationToken.None)).ToString());

                emulator.State.Faults = new FaultPlan();
                ProvisioningApi wrong = emulator.SecretSession(secret: secret + "-x");
                seen.Add((await Assert.ThrowsAnyAsync<Exception>(() => wrong.ListJobsAsync(emulator.State.DefaultServicePrincipalId, CancellationToken.None))).ToString());
                seen.Add((await Assert.ThrowsAsync<GraphException>(() => api.ResolveJobAsync(emulator.State.DefaultServicePrincipalId, "no-such-job", CancellationToken.None))).ToString());
            }
            finally
            {
                File.Delete(journalPath);
            }

            Assert.Contains(seen, s => s.Contains("path must be /Users", StringComparison.Ordinal));
            string everything = string.Join("\n", seen);
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
            Assert.All(tokens, token => Assert.DoesNotContain(token, everything, StringComparison.Ordinal));
            Assert.All(tokens, token => Assert.StartsWith("eyJ", token, StringComparison.Ordinal));
            // Not even a fragment: the JWT header every emulator token starts with.
            Assert.DoesNotContain("eyJ", everything, StringComparison.Ordinal);
        }
    }
}
