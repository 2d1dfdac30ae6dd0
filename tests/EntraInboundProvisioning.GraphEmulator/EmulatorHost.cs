using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.GraphEmulator.Endpoints;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EntraInboundProvisioning.GraphEmulator
{
    /// <summary>
    /// The Graph emulator: Entra ID's token endpoint (client secret, certificate assertion, device code, managed
    /// identity) and the Graph APIs of API-driven provisioning, on HTTPS 127.0.0.1 with a certificate made at start.
    /// </summary>
    public sealed class EmulatorHost : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly TokenService _tokens = new TokenService();

        private EmulatorHost(WebApplication app, EmulatorState state, X509Certificate2 certificate)
        {
            _app = app;
            State = state;
            Certificate = certificate;
        }

        /// <summary>https://127.0.0.1:port/</summary>
        public Uri BaseUri { get; private set; } = new Uri("https://127.0.0.1/");

        /// <summary>The server certificate (public part), for clients to trust explicitly.</summary>
        public X509Certificate2 Certificate { get; }

        /// <summary>The emulator's state, for tests to steer and inspect.</summary>
        public EmulatorState State { get; }

        /// <summary>Starts an emulator on a free loopback port.</summary>
        public static async Task<EmulatorHost> StartAsync(EmulatorOptions? options = null, string[]? args = null)
        {
            options ??= new EmulatorOptions();
            X509Certificate2 serverCertificate = CreateCertificate();
            WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args ?? Array.Empty<string>() });
            builder.Logging.ClearProviders();
            // The default console lifetime would take SIGINT/SIGTERM from whatever process embeds the emulator (a
            // test run); the embedding process decides when to stop (Program on a signal, tests by disposing).
            builder.Services.AddSingleton<IHostLifetime, EmbeddedLifetime>();
            Uri listen = new Uri(options.Urls ?? "https://127.0.0.1:0");
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, listen.Port, l => l.UseHttps(serverCertificate)));
            WebApplication app = builder.Build();
            var host = new EmulatorHost(app, new EmulatorState(options), X509CertificateLoader.LoadCertificate(serverCertificate.Export(X509ContentType.Cert)));
            host.Map(app);
            await app.StartAsync().ConfigureAwait(false);
            string address = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            host.BaseUri = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
            return host;
        }

        /// <summary>An HTTP handler that trusts exactly this emulator's certificate.</summary>
        public HttpMessageHandler CreateTrustingHandler()
        {
            string thumbprint = Certificate.Thumbprint;
            return new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, c, _, _) => c is not null && c.Thumbprint == thumbprint };
        }

        /// <inheritdoc />
        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync().ConfigureAwait(false);
            await _app.DisposeAsync().ConfigureAwait(false);
            _tokens.Dispose();
        }

        private static X509Certificate2 CreateCertificate()
        {
            using RSA key = RSA.Create(2048);
            var request = new CertificateRequest("CN=EntraInboundProvisioning Graph emulator", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            names.AddDnsName("localhost");
            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
            using X509Certificate2 created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2));
            // Re-import through PKCS#12 so Kestrel can use the private key on every platform.
            return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
        }

        /// <summary>The middleware every request passes (request ids, latency, emulator failures, the request log), then the endpoints.</summary>
        private void Map(WebApplication app)
        {
            app.Use(async (context, next) =>
            {
                string clientRequestId = context.Request.Headers["client-request-id"].FirstOrDefault() ?? Guid.NewGuid().ToString();
                context.Response.Headers["request-id"] = Guid.NewGuid().ToString();
                context.Response.Headers["client-request-id"] = clientRequestId;
                string path = context.Request.Path.Value ?? string.Empty;
                if ((path.StartsWith("/v1.0/", StringComparison.Ordinal) || path.StartsWith("/beta/", StringComparison.Ordinal)) && State.Latency > TimeSpan.Zero)
                {
                    await Task.Delay(State.Latency).ConfigureAwait(false);
                }

                try
                {
                    await next().ConfigureAwait(false);
                }
                catch (Exception ex) when (!context.Response.HasStarted)
                {
                    // Surface emulator bugs to the test rather than as an anonymous 500.
                    context.Response.StatusCode = 500;
                    lock (State.Gate)
                    {
                        State.EmulatorFailures.Add($"{context.Request.Method} {path}: {ex}");
                    }

                    await context.Response.WriteAsync("Emulator failure: " + ex.Message).ConfigureAwait(false);
                }

                lock (State.Gate)
                {
                    State.ReceivedRequests.Add(new ReceivedRequest(context.Request.Method, path, context.Request.ContentType, context.Request.Headers.ContainsKey("Authorization"), clientRequestId, context.Response.StatusCode));
                }
            });

            // Each endpoint family lives in its own file under Endpoints/; Graph answers under both versions.
            new TokenEndpoints(State, _tokens).Map(app);
            var graph = new GraphAccess(State, _tokens);
            var synchronization = new SynchronizationEndpoints(State, graph);
            var bulkUpload = new BulkUploadEndpoint(State, graph);
            var logs = new ProvisioningLogEndpoint(State, graph);
            foreach (string version in new[] { "v1.0", "beta" })
            {
                synchronization.Map(app, "/" + version);
                bulkUpload.Map(app, "/" + version);
                logs.Map(app, version);
            }

            new ControlEndpoints(State).Map(app);
        }

        /// <summary>A host lifetime that waits for nothing and listens to no signal: <see cref="DisposeAsync"/> stops the host.</summary>
        private sealed class EmbeddedLifetime : IHostLifetime
        {
            public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

            public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        }
    }
}
