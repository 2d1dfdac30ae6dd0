using System;
using System.Net.Http;
using System.Threading.Tasks;
using EntraInboundProvisioning.Auth;
using EntraInboundProvisioning.Graph;
using EntraInboundProvisioning.GraphEmulator;

namespace EntraInboundProvisioning.IntegrationTests
{
    /// <summary>An emulator per test class (or per test, via <see cref="StartAsync"/>) and clients wired to it through real MSAL.</summary>
    public sealed class Emulator : IAsyncDisposable
    {
        private Emulator(EmulatorHost host) => Host = host;

        public EmulatorHost Host { get; }

        public EmulatorState State => Host.State;

        public static async Task<Emulator> StartAsync(EmulatorOptions? options = null) => new Emulator(await EmulatorHost.StartAsync(options));

        public CloudEndpoints Endpoints => CloudEndpoints.ForTest(Host.BaseUri);

        public HttpClient HttpClient() => new HttpClient(Host.CreateTrustingHandler()) { BaseAddress = Host.BaseUri };

        /// <summary>A Graph client signed in with the default app's client secret, through MSAL.</summary>
        public ProvisioningApi SecretSession(string? clientId = null, string? secret = null, GraphReadOptions? reads = null)
        {
            var options = new AuthenticationOptions
            {
                Mode = AuthenticationMode.ClientSecret,
                TenantId = State.DefaultTenantId,
                ClientId = clientId ?? State.DefaultClientId,
                ClientSecret = Secure(secret ?? State.DefaultClientSecret),
                Endpoints = Endpoints,
            };
            return Session(options, reads: reads);
        }

        public ProvisioningApi Session(AuthenticationOptions options, Action<string>? deviceCodeMessage = null, GraphReadOptions? reads = null)
        {
            AccessTokenProvider tokens = AccessTokenProvider.Create(options, () => new HttpClient(GraphClient.CreateHandler(options.Endpoints, Host.Certificate)), deviceCodeMessage);
            return new ProvisioningApi(new GraphClient(options.Endpoints, tokens, GraphClient.CreateHandler(options.Endpoints, Host.Certificate)), reads);
        }

        /// <summary>
        /// The emulator's reports limit (5 reads per window) with a short window, and the session's pace to match, so a test
        /// of many pages runs in seconds while the limit is still on; retries wait milliseconds, not seconds.
        /// </summary>
        public static EmulatorOptions FastReports(int seed = 1, int pageLimit = 1000) => new EmulatorOptions { Seed = seed, ReportsWindow = TimeSpan.FromMilliseconds(400), LogPageLimit = pageLimit };

        public static GraphReadOptions FastReads(int maxAttempts = 8) => new GraphReadOptions { ReportsWindow = TimeSpan.FromMilliseconds(400), RetryBaseDelay = TimeSpan.FromMilliseconds(20), MaxRetryDelay = TimeSpan.FromMilliseconds(200), MaxAttempts = maxAttempts, JitterSeed = 3 };

        public static System.Security.SecureString Secure(string text)
        {
            var secure = new System.Security.SecureString();
            foreach (char c in text)
            {
                secure.AppendChar(c);
            }

            secure.MakeReadOnly();
            return secure;
        }

        public ValueTask DisposeAsync() => Host.DisposeAsync();
    }
}
