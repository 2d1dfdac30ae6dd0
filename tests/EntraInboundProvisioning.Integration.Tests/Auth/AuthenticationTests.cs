using System;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Auth;
using EntraInboundProvisioning.Graph;
using Xunit;

namespace EntraInboundProvisioning.IntegrationTests.Auth
{
    /// <summary>Each sign-in mode, through real MSAL against the emulator's token endpoints.</summary>
    [Collection(EnvironmentCollection.Name)]
    public class AuthenticationTests
    {
        [Fact]
        public async Task ClientSecretSignsInAndReachesGraph()
        {
            await using Emulator emulator = await Emulator.StartAsync();
            ProvisioningApi api = emulator.SecretSession();
            ServicePrincipalInfo sp = await api.ResolveServicePrincipalAsync(emulator.State.DefaultServicePrincipalId, CancellationToken.None);
            Assert.Equal(emulator.State.DefaultServicePrincipalId, sp.Id);
            // Found by application id too.
            Assert.Equal(sp.Id, (await api.ResolveServicePrincipalAsync(emulator.State.DefaultAppId, CancellationToken.None)).Id);
        }

        [Fact]
        public async Task AWrongSecretFailsWithTheServicesMessageAndNoSecretInIt()
        {
            await using Emulator emulator = await Emulator.StartAsync();
            ProvisioningApi api = emulator.SecretSession(secret: "not-the-secret-at-all-0123456789");
            Exception ex = await Assert.ThrowsAnyAsync<Exception>(() => api.ListJobsAsync(emulator.State.DefaultServicePrincipalId, CancellationToken.None));
            Assert.Contains("AADSTS7000215", ex.ToString());
            Assert.DoesNotContain("not-the-secret-at-all", ex.ToString());
        }

        [Fact]
        public async Task CertificateAssertionSignsInAndAnUnregisteredKeyIsRejected()
        {
            await using Emulator emulator = await Emulator.StartAsync();
            using X509Certificate2 registered = SelfSigned();
            using X509Certificate2 other = SelfSigned();
            string clientId = Guid.NewGuid().ToString();
            emulator.State.RegisterApp(emulator.State.DefaultTenantId, clientId, null, X509CertificateLoader.LoadCertificate(registered.Export(X509ContentType.Cert)), "Synchronization.ReadWrite.All");
            ProvisioningApi good = emulator.Session(new AuthenticationOptions { Mode = AuthenticationMode.Certificate, TenantId = emulator.State.DefaultTenantId, ClientId = clientId, Certificate = registered, Endpoints = emulator.Endpoints });
            try
            {
                Assert.Single(await good.ListJobsAsync(emulator.State.DefaultServicePrincipalId, CancellationToken.None));
            }
            catch (Exception) when (emulator.State.Failures.Count > 0)
            {
                Assert.Fail(string.Join("\n", emulator.State.Failures));
            }

            ProvisioningApi bad = emulator.Session(new AuthenticationOptions { Mode = AuthenticationMode.Certificate, TenantId = emulator.State.DefaultTenantId, ClientId = clientId, Certificate = other, Endpoints = emulator.Endpoints });
            Exception ex = await Assert.ThrowsAnyAsync<Exception>(() => bad.ListJobsAsync(emulator.State.DefaultServicePrincipalId, CancellationToken.None));
            Assert.Contains("AADSTS700027", ex.ToString());
        }

        [Theory]
        [InlineData("expired", "AADSTS700024")]
        [InlineData("audience", "AADSTS700016")]
        [InlineData("issuer", "AADSTS700023")]
        public async Task HandMadeAssertionsThatAreExpiredOrForAnotherAudienceAreRejected(string flaw, string code)
        {
            await using Emulator emulator = await Emulator.StartAsync();
            using X509Certificate2 certificate = SelfSigned();
            string clientId = Guid.NewGuid().ToString();
            emulator.State.RegisterApp(emulator.State.DefaultTenantId, clientId, null, X509CertificateLoader.LoadCertificate(certificate.Export(X509ContentType.Cert)), "Synchronization.ReadWrite.All");
            string tokenEndpoint = new Uri(emulator.Host.BaseUri, $"{emulator.State.DefaultTenantId}/oauth2/v2.0/token").ToString();
            long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            string payload = System.Text.Json.JsonSerializer.Serialize(new System.Collections.Generic.Dictionary<string, object>
            {
                ["aud"] = flaw == "audience" ? "https://login.microsoftonline.com/other/oauth2/v2.0/token" : tokenEndpoint,
                ["iss"] = flaw == "issuer" ? "someone-else" : clientId,
                ["sub"] = clientId,
                ["jti"] = Guid.NewGuid().ToString(),
                ["nbf"] = now - 600,
                ["exp"] = flaw == "expired" ? now - 60 : now + 600,
            });
            string Encode(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            string unsigned = Encode(Encoding.UTF8.GetBytes("{\"alg\":\"RS256\",\"typ\":\"JWT\"}")) + "." + Encode(Encoding.UTF8.GetBytes(payload));
            using RSA key = certificate.GetRSAPrivateKey()!;
            string assertion = unsigned + "." + Encode(key.SignData(Encoding.ASCII.GetBytes(unsigned), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
            using HttpClient http = emulator.HttpClient();
            using var form = new FormUrlEncodedContent(new[]
            {
                new System.Collections.Generic.KeyValuePair<string, string>("grant_type", "client_credentials"),
                new System.Collections.Generic.KeyValuePair<string, string>("client_id", clientId),
                new System.Collections.Generic.KeyValuePair<string, string>("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                new System.Collections.Generic.KeyValuePair<string, string>("client_assertion", assertion),
                new System.Collections.Generic.KeyValuePair<string, string>("scope", "https://graph.microsoft.com/.default"),
            });
            HttpResponseMessage response = await http.PostAsync(tokenEndpoint, form);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains(code, await response.Content.ReadAsStringAsync());
        }

        [Fact]
        public async Task DeviceCodeWaitsForApprovalThenSignsIn()
        {
            await using Emulator emulator = await Emulator.StartAsync();
            string? message = null;
            ProvisioningApi api = emulator.Session(
                new AuthenticationOptions { Mode = AuthenticationMode.DeviceCode, TenantId = emulator.State.DefaultTenantId, Endpoints = emulator.Endpoints },
                m =>
                {
                    message = m;
                    string code = System.Text.RegularExpressions.Regex.Match(m, @"code (\d+)").Groups[1].Value;
                    // The user enters the code a little later.
                    _ = Task.Delay(1500).ContinueWith(_ => emulator.State.ApproveDeviceCode(code), TaskScheduler.Default);
                });
            Assert.Single(await api.ListJobsAsync(emulator.State.DefaultServicePrincipalId, CancellationToken.None));
            Assert.Contains("enter the code", message);
        }

        [Fact]
        public async Task ManagedIdentitySignsInThroughIdentityEndpoint()
        {
            await using Emulator emulator = await Emulator.StartAsync();
            using var environment = new EnvironmentScope(("IDENTITY_ENDPOINT", new Uri(emulator.Host.BaseUri, "msi/token").ToString()), ("IDENTITY_HEADER", emulator.State.ManagedIdentityHeader), ("MSI_ENDPOINT", null), ("MSI_SECRET", null));
            ProvisioningApi api = emulator.Session(new AuthenticationOptions { Mode = AuthenticationMode.ManagedIdentity, Endpoints = emulator.Endpoints });
            Assert.Single(await api.ListJobsAsync(emulator.State.DefaultServicePrincipalId, CancellationToken.None));
        }

        [Fact]
        public async Task AGivenTokenIsUsedAsIs()
        {
            await using Emulator emulator = await Emulator.StartAsync();
            string token = await AcquireRawTokenAsync(emulator);
            ProvisioningApi api = emulator.Session(new AuthenticationOptions { Mode = AuthenticationMode.AccessToken, AccessToken = Emulator.Secure(token), Endpoints = emulator.Endpoints });
            Assert.Single(await api.ListJobsAsync(emulator.State.DefaultServicePrincipalId, CancellationToken.None));
        }

        [Fact]
        public async Task ATokenThatExpiresMidRunIsRenewedWithoutA401()
        {
            await using Emulator emulator = await Emulator.StartAsync();
            emulator.State.TokenLifetime = TimeSpan.FromSeconds(3);
            ProvisioningApi api = emulator.SecretSession();
            for (int i = 0; i < 4; i++)
            {
                Assert.Single(await api.ListJobsAsync(emulator.State.DefaultServicePrincipalId, CancellationToken.None));
                await Task.Delay(1500);
            }

            Assert.DoesNotContain(emulator.State.Requests, r => r.Status == 401);
        }

        [Fact]
        public async Task TokensAreNeverSentToAnotherHost()
        {
            await using Emulator emulator = await Emulator.StartAsync();
            ProvisioningApi api = emulator.SecretSession();
            GraphException ex = await Assert.ThrowsAsync<GraphException>(() => api.Graph.SendAsync(HttpMethod.Get, "https://example.com/v1.0/servicePrincipals", null, null, CancellationToken.None));
            Assert.Contains("Refusing to send the session's token", ex.Message);
            Assert.Throws<ArgumentException>(() => CloudEndpoints.ForTest(new Uri("https://graph.example.com/")));
            Assert.Throws<ArgumentException>(() => CloudEndpoints.ForTest(new Uri("http://127.0.0.1:5000/")));
        }

        [Theory]
        [InlineData(CloudEnvironment.Global, "https://graph.microsoft.com/", "https://login.microsoftonline.com/", "https://graph.microsoft.com/.default")]
        [InlineData(CloudEnvironment.USGov, "https://graph.microsoft.us/", "https://login.microsoftonline.us/", "https://graph.microsoft.us/.default")]
        [InlineData(CloudEnvironment.USGovDoD, "https://dod-graph.microsoft.us/", "https://login.microsoftonline.us/", "https://dod-graph.microsoft.us/.default")]
        [InlineData(CloudEnvironment.China, "https://microsoftgraph.chinacloudapi.cn/", "https://login.chinacloudapi.cn/", "https://microsoftgraph.chinacloudapi.cn/.default")]
        public void EachCloudHasItsGraphHostLoginHostAndScope(CloudEnvironment cloud, string graph, string login, string scope)
        {
            CloudEndpoints endpoints = CloudEndpoints.For(cloud);
            Assert.Equal(graph, endpoints.Graph.ToString());
            Assert.Equal(login, endpoints.AuthorityHost.ToString());
            Assert.Equal(scope, endpoints.Scope);
        }

        internal static async Task<string> AcquireRawTokenAsync(Emulator emulator)
        {
            using HttpClient http = emulator.HttpClient();
            using var form = new FormUrlEncodedContent(new[]
            {
                new System.Collections.Generic.KeyValuePair<string, string>("grant_type", "client_credentials"),
                new System.Collections.Generic.KeyValuePair<string, string>("client_id", emulator.State.DefaultClientId),
                new System.Collections.Generic.KeyValuePair<string, string>("client_secret", emulator.State.DefaultClientSecret),
                new System.Collections.Generic.KeyValuePair<string, string>("scope", "https://graph.microsoft.com/.default"),
            });
            HttpResponseMessage response = await http.PostAsync($"{emulator.State.DefaultTenantId}/oauth2/v2.0/token", form);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return json.RootElement.GetProperty("access_token").GetString()!;
        }

        internal static X509Certificate2 SelfSigned()
        {
            using RSA key = RSA.Create(2048);
            var request = new CertificateRequest("CN=provisioning-test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using X509Certificate2 created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
            return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
        }
    }

    /// <summary>Tests that change process environment variables run one at a time.</summary>
    [CollectionDefinition(Name, DisableParallelization = true)]
    public sealed class EnvironmentCollection
    {
        public const string Name = "Process environment";
    }

    internal sealed class EnvironmentScope : IDisposable
    {
        private readonly (string Name, string? Old)[] _saved;

        public EnvironmentScope(params (string Name, string? Value)[] values)
        {
            _saved = new (string, string?)[values.Length];
            for (int i = 0; i < values.Length; i++)
            {
                _saved[i] = (values[i].Name, Environment.GetEnvironmentVariable(values[i].Name));
                Environment.SetEnvironmentVariable(values[i].Name, values[i].Value);
            }
        }

        public void Dispose()
        {
            foreach ((string name, string? old) in _saved)
            {
                Environment.SetEnvironmentVariable(name, old);
            }
        }
    }
}
