using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace EntraInboundProvisioning.GraphEmulator
{
    /// <summary>
    /// The Graph emulator: Entra ID's token endpoint (client secret, certificate assertion, device code, managed
    /// identity) and the Graph APIs of API-driven provisioning, on HTTPS 127.0.0.1 with a certificate made at start.
    /// </summary>
    public sealed class EmulatorHost : IAsyncDisposable
    {
        private const string BulkRequestSchema = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
        private const string CoreUserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
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

            // Sign-in: metadata MSAL reads for a custom authority, then the token endpoints.
            app.MapGet("/common/discovery/instance", (HttpContext c) => Json(c, InstanceDiscovery(c, "common")));
            app.MapGet("/{tenant}/discovery/instance", (HttpContext c, string tenant) => Json(c, InstanceDiscovery(c, tenant)));
            app.MapGet("/{tenant}/v2.0/.well-known/openid-configuration", (HttpContext c, string tenant) => Json(c, OpenIdConfiguration(c, tenant)));
            app.MapPost("/{tenant}/oauth2/v2.0/token", (HttpContext c, string tenant) => Token(c, tenant));
            app.MapPost("/{tenant}/oauth2/v2.0/devicecode", (HttpContext c, string tenant) => DeviceCode(c, tenant));
            app.MapGet("/msi/token", (HttpContext c) => ManagedIdentityToken(c));

            // Graph, under both versions.
            foreach (string version in new[] { "v1.0", "beta" })
            {
                string root = "/" + version;
                app.MapGet(root + "/servicePrincipals/{id}", (HttpContext c, string id) => ServicePrincipalById(c, id));
                app.MapGet(root + "/servicePrincipals", (HttpContext c) => ServicePrincipalsByAppId(c));
                app.MapGet(root + "/servicePrincipals/{id}/synchronization/jobs", (HttpContext c, string id) => ListJobs(c, id));
                app.MapGet(root + "/servicePrincipals/{id}/synchronization/jobs/{jobId}", (HttpContext c, string id, string jobId) => GetJob(c, id, jobId));
                app.MapPost(root + "/servicePrincipals/{id}/synchronization/jobs/{jobId}/{operation}", (HttpContext c, string id, string jobId, string operation) => JobOperation(c, id, jobId, operation));
                app.MapGet(root + "/servicePrincipals/{id}/synchronization/jobs/{jobId}/schema", (HttpContext c, string id, string jobId) => GetSchema(c, id, jobId));
                app.MapPut(root + "/servicePrincipals/{id}/synchronization/jobs/{jobId}/schema", (HttpContext c, string id, string jobId) => PutSchema(c, id, jobId));
                app.MapGet(root + "/auditLogs/provisioning", (HttpContext c) => Logs(c, version));
            }

            // Control API for tests (loopback only, like the whole emulator).
            app.MapPost("/_emulator/jobs/{jobId}/cycle", (HttpContext c, string jobId) => Json(c, new JsonObject { ["entries"] = State.RunCycle(jobId).Count }));
            app.MapGet("/_emulator/jobs/{jobId}/operations", (HttpContext c, string jobId) => Json(c, new JsonObject { ["counts"] = new JsonObject(State.AcceptedCountByExternalId(jobId).Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value))) }));
            app.MapPost("/_emulator/devicecode/approve", async (HttpContext c) =>
            {
                JsonObject body = (await JsonNode.ParseAsync(c.Request.Body).ConfigureAwait(false))!.AsObject();
                State.ApproveDeviceCode(body["userCode"]!.GetValue<string>());
                c.Response.StatusCode = 204;
            });
            app.MapPost("/_emulator/apps", async (HttpContext c) =>
            {
                JsonObject body = (await JsonNode.ParseAsync(c.Request.Body).ConfigureAwait(false))!.AsObject();
                string[] roles = body["roles"] is JsonArray r ? r.Select(x => x!.ToString()).ToArray() : EmulatorState.AllRoles;
                State.RegisterApp(body["tenantId"]?.ToString() ?? State.DefaultTenantId, body["clientId"]!.ToString(), body["secret"]?.ToString(), null, roles);
                c.Response.StatusCode = 204;
            });
            app.MapPost("/_emulator/servicePrincipals", async (HttpContext c) =>
            {
                JsonObject body = (await JsonNode.ParseAsync(c.Request.Body).ConfigureAwait(false))!.AsObject();
                ServicePrincipal sp = State.AddServicePrincipal(body["displayName"]?.ToString() ?? "Another API-driven app");
                EmulatedJob job = State.AddJob(sp.Id);
                await Json(c, new JsonObject { ["id"] = sp.Id, ["appId"] = sp.AppId, ["jobId"] = job.Id }).ConfigureAwait(false);
            });
            app.MapGet("/_emulator/jobs/{jobId}/calls", (HttpContext c, string jobId) => Json(c, new JsonObject { ["bulkUploadCalls"] = State.BulkUploadCalls(jobId), ["status"] = State.JobStatus(jobId) }));
            app.MapPost("/_emulator/faults", async (HttpContext c) =>
            {
                State.Faults = (await JsonSerializer.DeserializeAsync<FaultPlan>(c.Request.Body).ConfigureAwait(false)) ?? new FaultPlan();
                c.Response.StatusCode = 204;
            });
            app.MapPost("/_emulator/latency", async (HttpContext c) =>
            {
                JsonObject body = (await JsonNode.ParseAsync(c.Request.Body).ConfigureAwait(false))!.AsObject();
                State.Latency = TimeSpan.FromMilliseconds(body["milliseconds"]!.GetValue<double>());
                c.Response.StatusCode = 204;
            });
            app.MapPost("/_emulator/tokenLifetime", async (HttpContext c) =>
            {
                JsonObject body = (await JsonNode.ParseAsync(c.Request.Body).ConfigureAwait(false))!.AsObject();
                State.TokenLifetime = TimeSpan.FromSeconds(body["seconds"]!.GetValue<double>());
                c.Response.StatusCode = 204;
            });
        }

        private static JsonObject InstanceDiscovery(HttpContext c, string tenant)
        {
            string authority = c.Request.Host.Value!;
            return new JsonObject
            {
                ["tenant_discovery_endpoint"] = $"https://{authority}/{tenant}/v2.0/.well-known/openid-configuration",
                ["api-version"] = "1.1",
                ["metadata"] = new JsonArray(new JsonObject { ["preferred_network"] = authority, ["preferred_cache"] = authority, ["aliases"] = new JsonArray(authority) }),
            };
        }

        private static JsonObject OpenIdConfiguration(HttpContext c, string tenant)
        {
            string root = $"https://{c.Request.Host.Value}/{tenant}";
            return new JsonObject
            {
                ["token_endpoint"] = root + "/oauth2/v2.0/token",
                ["authorization_endpoint"] = root + "/oauth2/v2.0/authorize",
                ["device_authorization_endpoint"] = root + "/oauth2/v2.0/devicecode",
                ["issuer"] = root + "/v2.0",
                ["jwks_uri"] = root + "/discovery/v2.0/keys",
                ["response_types_supported"] = new JsonArray("code", "id_token", "token"),
                ["token_endpoint_auth_methods_supported"] = new JsonArray("client_secret_post", "private_key_jwt"),
                ["tenant_region_scope"] = "WW",
            };
        }

        private async Task Token(HttpContext c, string tenant)
        {
            IFormCollection form = await c.Request.ReadFormAsync().ConfigureAwait(false);
            string grant = form["grant_type"].ToString();
            string clientId = form["client_id"].ToString();
            string? audience = AudienceFromScope(form["scope"].ToString());
            if (audience is null)
            {
                await AadError(c, 400, "invalid_scope", "AADSTS70011: The provided scope is not a Microsoft Graph '.default' scope of a known cloud.", 70011).ConfigureAwait(false);
                return;
            }

            if (grant is "urn:ietf:params:oauth:grant-type:device_code" or "device_code")
            {
                string deviceCode = form["device_code"].ToString();
                (string ClientId, string TenantId, string Scope, bool Approved, DateTimeOffset Expires) entry;
                string? key;
                lock (State.Gate)
                {
                    key = State.DeviceCodes.Keys.FirstOrDefault(k => k.Split('|')[0] == deviceCode);
                    entry = key is null ? default : State.DeviceCodes[key];
                }

                if (key is null || entry.Expires < DateTimeOffset.UtcNow)
                {
                    await AadError(c, 400, "expired_token", "AADSTS70020: The provided value for the input parameter 'device_code' is not valid.", 70020).ConfigureAwait(false);
                    return;
                }

                if (!entry.Approved)
                {
                    await AadError(c, 400, "authorization_pending", "AADSTS70016: OAuth 2.0 device flow error. Authorization is pending. Continue polling.", 70016).ConfigureAwait(false);
                    return;
                }

                lock (State.Gate)
                {
                    State.DeviceCodes.Remove(key);
                }

                await TokenResponse(c, _tokens.Issue(Tenant(tenant), entry.ClientId, audience, Array.Empty<string>(), new[] { "SynchronizationData-User.Upload", "Synchronization.ReadWrite.All", "AuditLog.Read.All", "Application.Read.All" }, State.TokenLifetime), includeRefresh: true).ConfigureAwait(false);
                return;
            }

            if (grant == "refresh_token")
            {
                await TokenResponse(c, _tokens.Issue(Tenant(tenant), clientId, audience, Array.Empty<string>(), new[] { "SynchronizationData-User.Upload", "Synchronization.ReadWrite.All", "AuditLog.Read.All", "Application.Read.All" }, State.TokenLifetime), includeRefresh: true).ConfigureAwait(false);
                return;
            }

            if (grant != "client_credentials")
            {
                await AadError(c, 400, "unsupported_grant_type", $"AADSTS70003: The app requested an unsupported grant type '{grant}'.", 70003).ConfigureAwait(false);
                return;
            }

            RegisteredApp? app;
            lock (State.Gate)
            {
                State.Apps.TryGetValue(clientId, out app);
            }

            if (app is null || !string.Equals(app.TenantId, Tenant(tenant), StringComparison.OrdinalIgnoreCase) && !string.Equals(tenant, app.TenantId, StringComparison.OrdinalIgnoreCase))
            {
                await AadError(c, 400, "unauthorized_client", $"AADSTS700016: Application with identifier '{clientId}' was not found in the directory '{tenant}'.", 700016).ConfigureAwait(false);
                return;
            }

            string assertion = form["client_assertion"].ToString();
            if (assertion.Length > 0)
            {
                string root = $"https://{c.Request.Host.Value}/{tenant}";
                string? problem = app.Certificate is null
                    ? "AADSTS700027: No certificate is registered on the application."
                    : TokenService.ValidateAssertion(assertion, clientId, app.Certificate, new[] { root + "/oauth2/v2.0/token", root + "/v2.0", root + "/" });
                if (problem is not null)
                {
                    await AadError(c, 401, "invalid_client", problem, 700027).ConfigureAwait(false);
                    return;
                }
            }
            else if (app.Secret is null || !CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(form["client_secret"].ToString()), System.Text.Encoding.UTF8.GetBytes(app.Secret)))
            {
                await AadError(c, 401, "invalid_client", $"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '{clientId}'.", 7000215).ConfigureAwait(false);
                return;
            }

            await TokenResponse(c, _tokens.Issue(app.TenantId, clientId, audience, app.Roles, Array.Empty<string>(), State.TokenLifetime), includeRefresh: false).ConfigureAwait(false);
        }

        private async Task DeviceCode(HttpContext c, string tenant)
        {
            IFormCollection form = await c.Request.ReadFormAsync().ConfigureAwait(false);
            string deviceCode = Guid.NewGuid().ToString("N");
            string userCode = State.Random.Next(100000000, 999999999).ToString(CultureInfo.InvariantCulture);
            lock (State.Gate)
            {
                State.DeviceCodes[deviceCode + "|" + userCode] = (form["client_id"].ToString(), Tenant(tenant), form["scope"].ToString(), false, DateTimeOffset.UtcNow.AddMinutes(15));
            }

            await Json(c, new JsonObject
            {
                ["device_code"] = deviceCode,
                ["user_code"] = userCode,
                ["verification_uri"] = $"https://{c.Request.Host.Value}/devicelogin",
                ["expires_in"] = 900,
                ["interval"] = 1,
                ["message"] = $"To sign in, use a web browser to open the page https://{c.Request.Host.Value}/devicelogin and enter the code {userCode} to authenticate.",
            }).ConfigureAwait(false);
        }

        private async Task ManagedIdentityToken(HttpContext c)
        {
            // App Service / Azure Automation: IDENTITY_ENDPOINT answers when X-IDENTITY-HEADER carries IDENTITY_HEADER.
            if (c.Request.Headers["X-IDENTITY-HEADER"].ToString() != State.ManagedIdentityHeader)
            {
                c.Response.StatusCode = 401;
                await Json(c, new JsonObject { ["error"] = "invalid_request", ["error_description"] = "The X-IDENTITY-HEADER is missing or wrong." }, 401).ConfigureAwait(false);
                return;
            }

            string resource = c.Request.Query["resource"].ToString().TrimEnd('/');
            string? audience = TokenService.GraphAudiences.FirstOrDefault(a => string.Equals(a, resource, StringComparison.OrdinalIgnoreCase));
            string clientId = c.Request.Query["client_id"].ToString();
            RegisteredApp? identity;
            lock (State.Gate)
            {
                identity = State.Apps.GetValueOrDefault(clientId.Length == 0 ? State.ManagedIdentityClientId : clientId);
            }

            if (audience is null || identity is null)
            {
                await Json(c, new JsonObject { ["error"] = "invalid_request", ["error_description"] = audience is null ? $"Unknown resource '{resource}'." : $"No managed identity '{clientId}' is assigned." }, 400).ConfigureAwait(false);
                return;
            }

            DateTimeOffset expires = DateTimeOffset.UtcNow + State.TokenLifetime;
            await Json(c, new JsonObject
            {
                ["access_token"] = _tokens.Issue(identity.TenantId, identity.ClientId, audience, identity.Roles, Array.Empty<string>(), State.TokenLifetime),
                ["expires_on"] = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                ["resource"] = resource,
                ["token_type"] = "Bearer",
                ["client_id"] = identity.ClientId,
            }).ConfigureAwait(false);
        }

        private async Task ServicePrincipalById(HttpContext c, string id)
        {
            if (await Authorize(c, "Application.Read.All", "Synchronization.Read.All", "Synchronization.ReadWrite.All").ConfigureAwait(false) is null)
            {
                return;
            }

            ServicePrincipal? sp;
            lock (State.Gate)
            {
                State.ServicePrincipals.TryGetValue(id, out sp);
            }

            if (sp is null)
            {
                await GraphError(c, 404, "Request_ResourceNotFound", $"Resource '{id}' does not exist or one of its queried reference-property objects are not present.").ConfigureAwait(false);
                return;
            }

            await Json(c, ToJson(sp)).ConfigureAwait(false);
        }

        private async Task ServicePrincipalsByAppId(HttpContext c)
        {
            if (await Authorize(c, "Application.Read.All").ConfigureAwait(false) is null)
            {
                return;
            }

            string filter = c.Request.Query["$filter"].ToString();
            System.Text.RegularExpressions.Match match = System.Text.RegularExpressions.Regex.Match(filter, @"^appId eq '([^']*)'$", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
            if (!match.Success)
            {
                await GraphError(c, 400, "Request_UnsupportedQuery", "Only $filter=appId eq '<id>' is supported.").ConfigureAwait(false);
                return;
            }

            List<ServicePrincipal> found;
            lock (State.Gate)
            {
                found = State.ServicePrincipals.Values.Where(s => string.Equals(s.AppId, match.Groups[1].Value, StringComparison.OrdinalIgnoreCase)).ToList();
            }

            await Json(c, new JsonObject { ["value"] = new JsonArray(found.Select(s => (JsonNode)ToJson(s)).ToArray()) }).ConfigureAwait(false);
        }

        private async Task ListJobs(HttpContext c, string id)
        {
            if (await Authorize(c, "Synchronization.Read.All", "Synchronization.ReadWrite.All").ConfigureAwait(false) is null)
            {
                return;
            }

            List<EmulatedJob> jobs;
            lock (State.Gate)
            {
                if (!State.ServicePrincipals.ContainsKey(id))
                {
                    jobs = null!;
                }
                else
                {
                    jobs = State.Jobs.Values.Where(j => j.ServicePrincipalId == id).ToList();
                }
            }

            if (jobs is null)
            {
                await GraphError(c, 404, "Request_ResourceNotFound", $"Service principal '{id}' does not exist.").ConfigureAwait(false);
                return;
            }

            await Json(c, new JsonObject { ["value"] = new JsonArray(jobs.Select(j => (JsonNode)ToJson(j)).ToArray()) }).ConfigureAwait(false);
        }

        private async Task GetJob(HttpContext c, string id, string jobId)
        {
            if (await Authorize(c, "Synchronization.Read.All", "Synchronization.ReadWrite.All").ConfigureAwait(false) is null || await FindJob(c, id, jobId).ConfigureAwait(false) is not EmulatedJob job)
            {
                return;
            }

            JsonObject json;
            lock (State.Gate)
            {
                json = ToJson(job);
            }

            await Json(c, json).ConfigureAwait(false);
        }

        private async Task JobOperation(HttpContext c, string id, string jobId, string operation)
        {
            if (string.Equals(operation, "bulkUpload", StringComparison.OrdinalIgnoreCase))
            {
                await BulkUpload(c, id, jobId).ConfigureAwait(false);
                return;
            }

            if (await Authorize(c, "Synchronization.ReadWrite.All").ConfigureAwait(false) is null || await FindJob(c, id, jobId).ConfigureAwait(false) is not EmulatedJob job)
            {
                return;
            }

            lock (State.Gate)
            {
                switch (operation.ToUpperInvariant())
                {
                    case "START":
                        job.Status = "Active";
                        break;
                    case "PAUSE":
                        job.Status = "Paused";
                        break;
                    case "RESTART":
                        // As the service does: a restart while the job is not running purges data uploaded since.
                        job.Pending.Clear();
                        job.Status = "Active";
                        break;
                    default:
                        job = null!;
                        break;
                }
            }

            if (job is null)
            {
                await GraphError(c, 400, "BadRequest", $"Unknown job operation '{operation}'.").ConfigureAwait(false);
                return;
            }

            c.Response.StatusCode = 204;
        }

        private async Task BulkUpload(HttpContext c, string id, string jobId)
        {
            TokenClaims? claims = await Authorize(c, "SynchronizationData-User.Upload").ConfigureAwait(false);
            if (claims is null || await FindJob(c, id, jobId).ConfigureAwait(false) is not EmulatedJob job)
            {
                return;
            }

            // Graph: the body must be sent as application/scim+json; anything else is "Invalid Data Format".
            string contentType = c.Request.ContentType ?? string.Empty;
            if (!contentType.StartsWith("application/scim+json", StringComparison.OrdinalIgnoreCase))
            {
                await GraphError(c, 400, "InvalidDataFormat", "Invalid Data Format. The request must be sent with Content-Type application/scim+json.").ConfigureAwait(false);
                return;
            }

            string? throttled = null;
            TimeSpan retryAfter = TimeSpan.Zero;
            string fault = "none";
            lock (State.Gate)
            {
                DateTimeOffset now = DateTimeOffset.UtcNow;
                while (job.RecentCalls.Count > 0 && now - job.RecentCalls.Peek() >= State.Options.ThrottleWindow)
                {
                    job.RecentCalls.Dequeue();
                }

                State.TenantCalls.RemoveAll(t => now - t >= TimeSpan.FromHours(24));
                if (State.TenantCalls.Count >= State.Options.DailyQuota)
                {
                    throttled = $"The tenant's daily quota of {State.Options.DailyQuota} bulkUpload calls is exhausted.";
                    retryAfter = TimeSpan.FromHours(1);
                }
                else if (job.RecentCalls.Count >= State.Options.ThrottleLimit)
                {
                    retryAfter = job.RecentCalls.Peek() + State.Options.ThrottleWindow - now;
                    throttled = $"Too many requests: more than {State.Options.ThrottleLimit} calls in {State.Options.ThrottleWindow.TotalSeconds:0} seconds for this job.";
                }
                else
                {
                    job.RecentCalls.Enqueue(now);
                    State.TenantCalls.Add(now);
                    job.BulkUploadCalls++;
                    fault = DrawFault();
                }
            }

            if (throttled is not null)
            {
                c.Response.Headers["Retry-After"] = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await GraphError(c, 429, "TooManyRequests", throttled).ConfigureAwait(false);
                return;
            }

            switch (fault)
            {
                case "429":
                    c.Response.Headers["Retry-After"] = "1";
                    await GraphError(c, 429, "TooManyRequests", "Injected throttling.").ConfigureAwait(false);
                    return;
                case "500":
                    await GraphError(c, 500, "InternalServerError", "Injected server error.").ConfigureAwait(false);
                    return;
                case "503":
                    await GraphError(c, 503, "ServiceUnavailable", "Injected unavailability.").ConfigureAwait(false);
                    return;
                case "dropBefore":
                    c.Abort();
                    return;
            }

            string body;
            using (var reader = new StreamReader(c.Request.Body))
            {
                body = await reader.ReadToEndAsync().ConfigureAwait(false);
            }

            (List<AcceptedOperation>? operations, string? problem) = ValidateBulkRequest(job.Id, body);
            if (problem is not null)
            {
                await GraphError(c, 400, "BadRequest", problem).ConfigureAwait(false);
                return;
            }

            lock (State.Gate)
            {
                job.Pending.AddRange(operations!);
                job.Accepted.AddRange(operations!);
            }

            if (State.Options.CycleDelay is TimeSpan delay)
            {
                _ = Task.Delay(delay).ContinueWith(_ => State.RunCycle(job.Id), TaskScheduler.Default);
            }

            if (fault == "dropAfter")
            {
                c.Abort();
                return;
            }

            // 202 with an empty body and a Location header pointing at the provisioning logs.
            c.Response.StatusCode = 202;
            c.Response.Headers.Location = $"https://graph.microsoft.com/beta/auditLogs/provisioning/?$filter=jobid eq '{job.Id}'";
        }

        private static (List<AcceptedOperation>? Operations, string? Problem) ValidateBulkRequest(string jobId, string body)
        {
            JsonNode? root;
            try
            {
                root = JsonNode.Parse(body);
            }
            catch (JsonException ex)
            {
                return (null, $"The request body is not valid JSON: {ex.Message}");
            }

            if (root is not JsonObject request || request["schemas"] is not JsonArray schemas || !schemas.Any(s => string.Equals(s?.ToString(), BulkRequestSchema, StringComparison.OrdinalIgnoreCase)))
            {
                return (null, $"The request must be a SCIM BulkRequest whose schemas include '{BulkRequestSchema}'.");
            }

            if (request["Operations"] is not JsonArray operations)
            {
                return (null, "The request has no 'Operations' array.");
            }

            if (operations.Count == 0 || operations.Count > 50)
            {
                return (null, $"A bulk request must hold 1 to 50 operations; this one has {operations.Count}.");
            }

            var accepted = new List<AcceptedOperation>();
            int index = 0;
            foreach (JsonNode? node in operations)
            {
                index++;
                if (node is not JsonObject operation)
                {
                    return (null, $"Operation {index} is not an object.");
                }

                if (!string.Equals(operation["method"]?.ToString(), "POST", StringComparison.OrdinalIgnoreCase))
                {
                    return (null, $"Operation {index}: method must be POST.");
                }

                if (!string.Equals(operation["path"]?.ToString(), "/Users", StringComparison.OrdinalIgnoreCase))
                {
                    return (null, $"Operation {index}: path must be /Users.");
                }

                string? bulkId = operation["bulkId"]?.ToString();
                if (string.IsNullOrEmpty(bulkId))
                {
                    return (null, $"Operation {index}: bulkId is required.");
                }

                if (operation["data"] is not JsonObject data || data["schemas"] is not JsonArray dataSchemas || !dataSchemas.Any(s => string.Equals(s?.ToString(), CoreUserSchema, StringComparison.OrdinalIgnoreCase)))
                {
                    return (null, $"Operation {index}: data must list the schema '{CoreUserSchema}'.");
                }

                string? externalId = data["externalId"]?.ToString();
                if (string.IsNullOrWhiteSpace(externalId))
                {
                    return (null, $"Operation {index}: data.externalId is required.");
                }

                accepted.Add(new AcceptedOperation(jobId, externalId, bulkId, DateTimeOffset.UtcNow, (JsonObject)data.DeepClone()));
            }

            return (accepted, null);
        }

        private async Task GetSchema(HttpContext c, string id, string jobId)
        {
            if (await Authorize(c, "Synchronization.Read.All", "Synchronization.ReadWrite.All").ConfigureAwait(false) is null || await FindJob(c, id, jobId).ConfigureAwait(false) is not EmulatedJob job)
            {
                return;
            }

            JsonObject schema;
            lock (State.Gate)
            {
                schema = (JsonObject)job.Schema.DeepClone();
            }

            schema["@odata.context"] = $"https://graph.microsoft.com/v1.0/$metadata#servicePrincipals('{id}')/synchronization/jobs('{jobId}')/schema/$entity";
            await Json(c, schema).ConfigureAwait(false);
        }

        private async Task PutSchema(HttpContext c, string id, string jobId)
        {
            if (await Authorize(c, "Synchronization.ReadWrite.All").ConfigureAwait(false) is null || await FindJob(c, id, jobId).ConfigureAwait(false) is not EmulatedJob job)
            {
                return;
            }

            JsonNode? body;
            try
            {
                body = await JsonNode.ParseAsync(c.Request.Body).ConfigureAwait(false);
            }
            catch (JsonException ex)
            {
                await GraphError(c, 400, "BadRequest", $"The schema is not valid JSON: {ex.Message}").ConfigureAwait(false);
                return;
            }

            if (body is not JsonObject schema || schema["directories"] is not JsonArray || schema["synchronizationRules"] is not JsonArray)
            {
                await GraphError(c, 400, "BadRequest", "A synchronization schema needs 'directories' and 'synchronizationRules'.").ConfigureAwait(false);
                return;
            }

            lock (State.Gate)
            {
                // PUT replaces the whole document.
                job.Schema = schema;
            }

            c.Response.StatusCode = 204;
        }

        private async Task Logs(HttpContext c, string version)
        {
            if (await Authorize(c, "AuditLog.Read.All").ConfigureAwait(false) is null)
            {
                return;
            }

            string filter = c.Request.Query["$filter"].ToString();
            Func<JsonObject, bool> predicate;
            try
            {
                predicate = LogFilter.Parse(filter);
            }
            catch (FormatException ex)
            {
                await GraphError(c, 400, "BadRequest", ex.Message).ConfigureAwait(false);
                return;
            }

            int top = int.TryParse(c.Request.Query["$top"], NumberStyles.Integer, CultureInfo.InvariantCulture, out int t) ? Math.Clamp(t, 1, 1000) : 100;
            int skip = int.TryParse(c.Request.Query["$skiptoken"], NumberStyles.Integer, CultureInfo.InvariantCulture, out int s) ? s : 0;
            string orderBy = c.Request.Query["$orderby"].ToString();
            List<JsonObject> matching;
            lock (State.Gate)
            {
                matching = State.Logs.Where(predicate).ToList();
            }

            matching = string.Equals(orderBy, "activityDateTime asc", StringComparison.OrdinalIgnoreCase)
                ? matching.OrderBy(e => e["activityDateTime"]!.ToString(), StringComparer.Ordinal).ToList()
                : matching.OrderByDescending(e => e["activityDateTime"]!.ToString(), StringComparer.Ordinal).ToList();
            List<JsonObject> page = matching.Skip(skip).Take(top).ToList();
            var result = new JsonObject
            {
                ["@odata.context"] = $"https://{c.Request.Host.Value}/{version}/$metadata#auditLogs/provisioning",
                ["value"] = new JsonArray(page.Select(e => e.DeepClone()).ToArray()),
            };
            if (skip + top < matching.Count)
            {
                string query = $"$filter={Uri.EscapeDataString(filter)}&$top={top}&$skiptoken={skip + top}" + (orderBy.Length > 0 ? $"&$orderby={Uri.EscapeDataString(orderBy)}" : string.Empty);
                result["@odata.nextLink"] = $"https://{c.Request.Host.Value}/{version}/auditLogs/provisioning?{query}";
            }

            await Json(c, result).ConfigureAwait(false);
        }

        private async Task<EmulatedJob?> FindJob(HttpContext c, string id, string jobId)
        {
            EmulatedJob? job;
            lock (State.Gate)
            {
                State.Jobs.TryGetValue(jobId, out job);
            }

            if (job is null || !string.Equals(job.ServicePrincipalId, id, StringComparison.OrdinalIgnoreCase))
            {
                await GraphError(c, 404, "Request_ResourceNotFound", $"Job '{jobId}' of service principal '{id}' does not exist.").ConfigureAwait(false);
                return null;
            }

            return job;
        }

        /// <summary>Checks the bearer token and that it carries one of the roles (or scopes); writes 401/403 otherwise.</summary>
        private async Task<TokenClaims?> Authorize(HttpContext c, params string[] anyOf)
        {
            string header = c.Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                await GraphError(c, 401, "InvalidAuthenticationToken", "Access token is empty.").ConfigureAwait(false);
                return null;
            }

            TokenClaims? claims = _tokens.Validate(header.Substring(7).Trim(), out string reason);
            if (claims is null)
            {
                await GraphError(c, 401, "InvalidAuthenticationToken", reason).ConfigureAwait(false);
                return null;
            }

            if (!anyOf.Any(r => claims.Roles.Contains(r, StringComparer.OrdinalIgnoreCase) || claims.Scopes.Contains(r, StringComparer.OrdinalIgnoreCase)))
            {
                await GraphError(c, 403, "Authorization_RequestDenied", $"Insufficient privileges to complete the operation. Requires one of: {string.Join(", ", anyOf)}.").ConfigureAwait(false);
                return null;
            }

            return claims;
        }

        private string DrawFault()
        {
            FaultPlan plan = State.Faults;
            if (plan.Total <= 0)
            {
                return "none";
            }

            double draw = State.Random.NextDouble();
            foreach ((double share, string name) in new[] { (plan.Throttle429, "429"), (plan.Error500, "500"), (plan.Error503, "503"), (plan.DropBeforeAccept, "dropBefore"), (plan.DropAfterAccept, "dropAfter") })
            {
                if (draw < share)
                {
                    return name;
                }

                draw -= share;
            }

            return "none";
        }

        private string Tenant(string tenant) => Guid.TryParse(tenant, out _) ? tenant : State.DefaultTenantId;

        private static string? AudienceFromScope(string scope)
            => TokenService.GraphAudiences.FirstOrDefault(a => scope.Split(' ').Any(s => string.Equals(s, a + "/.default", StringComparison.OrdinalIgnoreCase)));

        private static async Task TokenResponse(HttpContext c, string token, bool includeRefresh)
        {
            var body = new JsonObject { ["token_type"] = "Bearer", ["expires_in"] = 3599, ["ext_expires_in"] = 3599, ["access_token"] = token };
            if (includeRefresh)
            {
                body["refresh_token"] = Guid.NewGuid().ToString("N");
                body["scope"] = "https://graph.microsoft.com/.default";
                body["id_token"] = UnsignedIdToken();
                body["client_info"] = TokenService.Base64Url(System.Text.Encoding.UTF8.GetBytes("{\"uid\":\"00000000-0000-0000-0000-000000000001\",\"utid\":\"00000000-0000-0000-0000-000000000002\"}"));
            }

            // expires_in is reported from the token itself so short test lifetimes reach the client.
            string[] parts = token.Split('.');
            JsonObject payload = JsonNode.Parse(TokenService.FromBase64Url(parts[1]))!.AsObject();
            long seconds = Math.Max(1, payload["exp"]!.GetValue<long>() - DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            body["expires_in"] = seconds;
            body["ext_expires_in"] = seconds;
            await Json(c, body).ConfigureAwait(false);
        }

        private static string UnsignedIdToken()
        {
            long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            string payload = $"{{\"aud\":\"client\",\"iss\":\"https://login.microsoftonline.com/00000000-0000-0000-0000-000000000002/v2.0\",\"iat\":{now},\"nbf\":{now},\"exp\":{now + 3600},\"name\":\"Emulated Admin\",\"oid\":\"00000000-0000-0000-0000-000000000001\",\"preferred_username\":\"admin@contoso.example\",\"sub\":\"sub\",\"tid\":\"00000000-0000-0000-0000-000000000002\",\"ver\":\"2.0\"}}";
            return TokenService.Base64Url(System.Text.Encoding.UTF8.GetBytes("{\"alg\":\"none\",\"typ\":\"JWT\"}")) + "." + TokenService.Base64Url(System.Text.Encoding.UTF8.GetBytes(payload)) + ".";
        }

        private static Task AadError(HttpContext c, int status, string error, string description, int code)
            => Json(c, new JsonObject
            {
                ["error"] = error,
                ["error_description"] = description,
                ["error_codes"] = new JsonArray(code),
                ["timestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ssZ", CultureInfo.InvariantCulture),
                ["trace_id"] = Guid.NewGuid().ToString(),
                ["correlation_id"] = Guid.NewGuid().ToString(),
            }, status);

        private static Task GraphError(HttpContext c, int status, string code, string message)
            => Json(c, new JsonObject
            {
                ["error"] = new JsonObject
                {
                    ["code"] = code,
                    ["message"] = message,
                    ["innerError"] = new JsonObject
                    {
                        ["date"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture),
                        ["request-id"] = c.Response.Headers["request-id"].ToString(),
                        ["client-request-id"] = c.Response.Headers["client-request-id"].ToString(),
                    },
                },
            }, status);

        private static async Task Json(HttpContext c, JsonObject body, int status = 200)
        {
            c.Response.StatusCode = status;
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync(body.ToJsonString()).ConfigureAwait(false);
        }

        private static JsonObject ToJson(ServicePrincipal sp) => new JsonObject { ["id"] = sp.Id, ["appId"] = sp.AppId, ["displayName"] = sp.DisplayName };

        private static JsonObject ToJson(EmulatedJob job) => new JsonObject
        {
            ["id"] = job.Id,
            ["templateId"] = job.TemplateId,
            ["schedule"] = new JsonObject { ["interval"] = "PT40M", ["state"] = job.Status == "Paused" ? "Disabled" : "Active" },
            ["status"] = new JsonObject
            {
                ["code"] = job.Status,
                ["lastExecution"] = job.LastCycleBegan is null ? null : new JsonObject { ["state"] = "Succeeded", ["timeBegan"] = job.LastCycleBegan.Value.ToString("o", CultureInfo.InvariantCulture), ["timeEnded"] = job.LastCycleEnded?.ToString("o", CultureInfo.InvariantCulture) },
                ["lastSuccessfulExecution"] = job.LastCycleEnded is null ? null : new JsonObject { ["state"] = "Succeeded", ["timeBegan"] = job.LastCycleBegan?.ToString("o", CultureInfo.InvariantCulture), ["timeEnded"] = job.LastCycleEnded.Value.ToString("o", CultureInfo.InvariantCulture) },
                ["quarantine"] = job.Status == "Quarantine" ? new JsonObject { ["currentBegan"] = DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture), ["reason"] = "EncounteredQuarantineException" } : null,
            },
        };
    }
}
