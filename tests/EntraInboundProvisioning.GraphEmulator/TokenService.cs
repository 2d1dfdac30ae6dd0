using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EntraInboundProvisioning.GraphEmulator
{
    /// <summary>What a valid access token says.</summary>
    public sealed record TokenClaims(string TenantId, string ClientId, string Audience, IReadOnlyList<string> Roles, IReadOnlyList<string> Scopes, DateTimeOffset ExpiresOn);

    /// <summary>
    /// Issues RS256 JWT access tokens signed by the emulator's key, validates them on Graph calls, and validates
    /// client assertions against an app's registered certificate (signature, audience, expiry, issuer).
    /// </summary>
    public sealed class TokenService : IDisposable
    {
        /// <summary>The Graph hosts of the clouds; a token's audience is one of them.</summary>
        public static readonly string[] GraphAudiences = { "https://graph.microsoft.com", "https://graph.microsoft.us", "https://dod-graph.microsoft.us", "https://microsoftgraph.chinacloudapi.cn" };

        private readonly RSA _key = RSA.Create(2048);

        public string Issue(string tenantId, string clientId, string audience, IEnumerable<string> roles, IEnumerable<string> scopes, TimeSpan lifetime)
        {
            DateTimeOffset now = DateTimeOffset.UtcNow;
            var payload = new JsonObject
            {
                ["aud"] = audience,
                ["iss"] = $"https://sts.windows.net/{tenantId}/",
                ["tid"] = tenantId,
                ["appid"] = clientId,
                ["iat"] = now.ToUnixTimeSeconds(),
                ["nbf"] = now.ToUnixTimeSeconds(),
                ["exp"] = (now + lifetime).ToUnixTimeSeconds(),
                ["exp_ms"] = (now + lifetime).ToUnixTimeMilliseconds(),
                ["jti"] = Guid.NewGuid().ToString(),
            };
            var roleArray = new JsonArray(roles.Select(r => (JsonNode)JsonValue.Create(r)!).ToArray());
            if (roleArray.Count > 0)
            {
                payload["roles"] = roleArray;
            }

            string scp = string.Join(" ", scopes);
            if (scp.Length > 0)
            {
                payload["scp"] = scp;
            }

            string header = Base64Url(Encoding.UTF8.GetBytes("{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"emulator\"}"));
            string body = Base64Url(Encoding.UTF8.GetBytes(payload.ToJsonString()));
            byte[] signature = _key.SignData(Encoding.ASCII.GetBytes(header + "." + body), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            return header + "." + body + "." + Base64Url(signature);
        }

        /// <summary>Validates a bearer token; null with a reason when it is not valid.</summary>
        public TokenClaims? Validate(string token, out string reason)
        {
            string[] parts = token.Split('.');
            if (parts.Length != 3)
            {
                reason = "The token is not a JWT.";
                return null;
            }

            byte[] signature;
            JsonObject payload;
            try
            {
                signature = FromBase64Url(parts[2]);
                payload = JsonNode.Parse(FromBase64Url(parts[1]))!.AsObject();
            }
            catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException)
            {
                reason = "The token could not be read.";
                return null;
            }

            if (!_key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
            {
                reason = "The token's signature is invalid.";
                return null;
            }

            DateTimeOffset expires = DateTimeOffset.FromUnixTimeMilliseconds(payload["exp_ms"]!.GetValue<long>());
            if (expires <= DateTimeOffset.UtcNow)
            {
                reason = "Lifetime validation failed, the token is expired.";
                return null;
            }

            string audience = payload["aud"]!.GetValue<string>();
            if (!GraphAudiences.Contains(audience, StringComparer.OrdinalIgnoreCase))
            {
                reason = $"Invalid audience '{audience}'.";
                return null;
            }

            reason = string.Empty;
            string[] roles = payload["roles"] is JsonArray r ? r.Select(x => x!.GetValue<string>()).ToArray() : Array.Empty<string>();
            string[] scopes = payload["scp"] is JsonValue s ? s.GetValue<string>().Split(' ', StringSplitOptions.RemoveEmptyEntries) : Array.Empty<string>();
            return new TokenClaims(payload["tid"]!.GetValue<string>(), payload["appid"]!.GetValue<string>(), audience, roles, scopes, expires);
        }

        /// <summary>
        /// Checks a client assertion (RFC 7523) made with the app's certificate: RS256 or PS256 signature by that
        /// certificate's key, iss = sub = client id, aud = the token endpoint (or the tenant's issuer), not expired.
        /// Returns an AADSTS-style error description, or null when valid.
        /// </summary>
        public static string? ValidateAssertion(string assertion, string clientId, X509Certificate2 certificate, IReadOnlyCollection<string> audiences)
        {
            string[] parts = assertion.Split('.');
            if (parts.Length != 3)
            {
                return "AADSTS50027: JWT token is invalid or malformed.";
            }

            JsonObject header;
            JsonObject payload;
            byte[] signature;
            try
            {
                header = JsonNode.Parse(FromBase64Url(parts[0]))!.AsObject();
                payload = JsonNode.Parse(FromBase64Url(parts[1]))!.AsObject();
                signature = FromBase64Url(parts[2]);
            }
            catch (Exception ex) when (ex is FormatException or JsonException or InvalidOperationException)
            {
                return "AADSTS50027: JWT token is invalid or malformed.";
            }

            using RSA? key = certificate.GetRSAPublicKey();
            string alg = header["alg"]?.GetValue<string>() ?? string.Empty;
            RSASignaturePadding? padding = alg switch { "RS256" => RSASignaturePadding.Pkcs1, "PS256" => RSASignaturePadding.Pss, _ => null };
            if (key is null || padding is null || !key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), signature, HashAlgorithmName.SHA256, padding))
            {
                return $"AADSTS700027: The certificate with identifier used to sign the client assertion is not registered on application. [Reason - The key was not found.] Client assertion failed signature validation.";
            }

            if (payload["iss"]?.GetValue<string>() != clientId || payload["sub"]?.GetValue<string>() != clientId)
            {
                return "AADSTS700023: Client assertion issuer and subject must be the client id.";
            }

            string? audience = payload["aud"]?.GetValue<string>();
            if (audience is null || !audiences.Contains(audience, StringComparer.OrdinalIgnoreCase))
            {
                return $"AADSTS700016: The client assertion's audience '{audience}' is not this tenant's token endpoint.";
            }

            // MSAL writes exp as a number or as a numeric string.
            long exp = payload["exp"] is JsonValue e && long.TryParse(e.ToString(), System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out long seconds) ? seconds : 0;
            if (DateTimeOffset.FromUnixTimeSeconds(exp) <= DateTimeOffset.UtcNow)
            {
                return "AADSTS700024: Client assertion is not within its valid time range.";
            }

            return null;
        }

        public static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

        public static byte[] FromBase64Url(string text)
        {
            string s = text.Replace('-', '+').Replace('_', '/');
            return Convert.FromBase64String(s.PadRight(s.Length + ((4 - (s.Length % 4)) % 4), '='));
        }

        public void Dispose() => _key.Dispose();
    }
}
