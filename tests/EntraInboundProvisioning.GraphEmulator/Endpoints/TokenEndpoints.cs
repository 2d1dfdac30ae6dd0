using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using static EntraInboundProvisioning.GraphEmulator.Endpoints.Responses;

namespace EntraInboundProvisioning.GraphEmulator.Endpoints
{
    /// <summary>
    /// Entra ID's sign-in endpoints: the instance discovery and OpenID metadata MSAL reads for a custom authority,
    /// the OAuth token endpoint (client secret, certificate assertion, device code, refresh), the device code
    /// endpoint, and the App Service / Azure Automation managed-identity endpoint.
    /// </summary>
    internal sealed class TokenEndpoints(EmulatorState state, TokenService tokens)
    {
        public void Map(IEndpointRouteBuilder app)
        {
            app.MapGet("/common/discovery/instance", (HttpContext c) => Json(c, InstanceDiscovery(c, "common")));
            app.MapGet("/{tenant}/discovery/instance", (HttpContext c, string tenant) => Json(c, InstanceDiscovery(c, tenant)));
            app.MapGet("/{tenant}/v2.0/.well-known/openid-configuration", (HttpContext c, string tenant) => Json(c, OpenIdConfiguration(c, tenant)));
            app.MapPost("/{tenant}/oauth2/v2.0/token", (HttpContext c, string tenant) => Token(c, tenant));
            app.MapPost("/{tenant}/oauth2/v2.0/devicecode", (HttpContext c, string tenant) => DeviceCode(c, tenant));
            app.MapGet("/msi/token", (HttpContext c) => ManagedIdentityToken(c));
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
                lock (state.Gate)
                {
                    key = state.DeviceCodes.Keys.FirstOrDefault(k => k.Split('|')[0] == deviceCode);
                    entry = key is null ? default : state.DeviceCodes[key];
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

                lock (state.Gate)
                {
                    state.DeviceCodes.Remove(key);
                }

                await TokenResponse(c, tokens.Issue(Tenant(tenant), entry.ClientId, audience, Array.Empty<string>(), new[] { "SynchronizationData-User.Upload", "Synchronization.ReadWrite.All", "AuditLog.Read.All", "Application.Read.All" }, state.TokenLifetime), includeRefresh: true).ConfigureAwait(false);
                return;
            }

            if (grant == "refresh_token")
            {
                await TokenResponse(c, tokens.Issue(Tenant(tenant), clientId, audience, Array.Empty<string>(), new[] { "SynchronizationData-User.Upload", "Synchronization.ReadWrite.All", "AuditLog.Read.All", "Application.Read.All" }, state.TokenLifetime), includeRefresh: true).ConfigureAwait(false);
                return;
            }

            if (grant != "client_credentials")
            {
                await AadError(c, 400, "unsupported_grant_type", $"AADSTS70003: The app requested an unsupported grant type '{grant}'.", 70003).ConfigureAwait(false);
                return;
            }

            RegisteredApp? app;
            lock (state.Gate)
            {
                state.Apps.TryGetValue(clientId, out app);
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

            await TokenResponse(c, tokens.Issue(app.TenantId, clientId, audience, app.Roles, Array.Empty<string>(), state.TokenLifetime), includeRefresh: false).ConfigureAwait(false);
        }

        private async Task DeviceCode(HttpContext c, string tenant)
        {
            IFormCollection form = await c.Request.ReadFormAsync().ConfigureAwait(false);
            string deviceCode = Guid.NewGuid().ToString("N");
            string userCode = state.Random.Next(100000000, 999999999).ToString(CultureInfo.InvariantCulture);
            lock (state.Gate)
            {
                state.DeviceCodes[deviceCode + "|" + userCode] = (form["client_id"].ToString(), Tenant(tenant), form["scope"].ToString(), false, DateTimeOffset.UtcNow.AddMinutes(15));
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
            if (c.Request.Headers["X-IDENTITY-HEADER"].ToString() != state.ManagedIdentityHeader)
            {
                c.Response.StatusCode = 401;
                await Json(c, new JsonObject { ["error"] = "invalid_request", ["error_description"] = "The X-IDENTITY-HEADER is missing or wrong." }, 401).ConfigureAwait(false);
                return;
            }

            string resource = c.Request.Query["resource"].ToString().TrimEnd('/');
            string? audience = TokenService.GraphAudiences.FirstOrDefault(a => string.Equals(a, resource, StringComparison.OrdinalIgnoreCase));
            string clientId = c.Request.Query["client_id"].ToString();
            RegisteredApp? identity;
            lock (state.Gate)
            {
                identity = state.Apps.GetValueOrDefault(clientId.Length == 0 ? state.ManagedIdentityClientId : clientId);
            }

            if (audience is null || identity is null)
            {
                await Json(c, new JsonObject { ["error"] = "invalid_request", ["error_description"] = audience is null ? $"Unknown resource '{resource}'." : $"No managed identity '{clientId}' is assigned." }, 400).ConfigureAwait(false);
                return;
            }

            DateTimeOffset expires = DateTimeOffset.UtcNow + state.TokenLifetime;
            await Json(c, new JsonObject
            {
                ["access_token"] = tokens.Issue(identity.TenantId, identity.ClientId, audience, identity.Roles, Array.Empty<string>(), state.TokenLifetime),
                ["expires_on"] = expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
                ["resource"] = resource,
                ["token_type"] = "Bearer",
                ["client_id"] = identity.ClientId,
            }).ConfigureAwait(false);
        }

        private string Tenant(string tenant) => Guid.TryParse(tenant, out _) ? tenant : state.DefaultTenantId;

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
    }
}
