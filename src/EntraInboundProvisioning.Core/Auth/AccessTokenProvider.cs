using System;
using System.Net.Http;
using System.Runtime.InteropServices;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.AppConfig;

namespace EntraInboundProvisioning.Auth
{
    /// <summary>Gets tokens for a session, cached and refreshed before they expire, from MSAL or a given token.</summary>
    public abstract class AccessTokenProvider : IDisposable
    {
        private readonly SemaphoreSlim _gate = new SemaphoreSlim(1, 1);
        private BearerToken? _cached;
        private DateTimeOffset _acquiredAt;

        /// <summary>Who signed in, for Get-EntraProvisioningContext-like display (never a secret).</summary>
        public string Account { get; protected set; } = string.Empty;

        /// <summary>
        /// A token valid for at least a few more minutes (or a tenth of its lifetime, for short test tokens), so a
        /// long run never sends an expired one. <paramref name="forceRefresh"/> after a 401.
        /// </summary>
        public async Task<BearerToken> GetTokenAsync(bool forceRefresh, CancellationToken cancellationToken)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!forceRefresh && _cached is BearerToken cached && !IsNearExpiry(cached, _acquiredAt))
                {
                    return cached;
                }

                DateTimeOffset requested = DateTimeOffset.UtcNow;
                BearerToken fresh = await AcquireAsync(forceRefresh, cancellationToken).ConfigureAwait(false);
                _cached = fresh;
                _acquiredAt = requested;
                return fresh;
            }
            finally
            {
                _gate.Release();
            }
        }

        /// <summary>Acquires a token from the source.</summary>
        protected abstract Task<BearerToken> AcquireAsync(bool forceRefresh, CancellationToken cancellationToken);

        /// <inheritdoc />
        public void Dispose()
        {
            Dispose(true);
            GC.SuppressFinalize(this);
        }

        /// <summary>Releases the gate.</summary>
        protected virtual void Dispose(bool disposing)
        {
            if (disposing)
            {
                _gate.Dispose();
            }
        }

        /// <summary>Renew when less than five minutes, or a third of the token's lifetime, is left.</summary>
        private static bool IsNearExpiry(BearerToken token, DateTimeOffset acquiredAt)
        {
            TimeSpan lifetime = token.ExpiresOn - acquiredAt;
            TimeSpan margin = TimeSpan.FromTicks(Math.Min(TimeSpan.FromMinutes(5).Ticks, lifetime.Ticks / 3));
            return token.ExpiresOn - DateTimeOffset.UtcNow <= margin;
        }

        /// <summary>Creates the provider for the options; MSAL loads only here.</summary>
        public static AccessTokenProvider Create(AuthenticationOptions options, Func<HttpClient> httpClientFactory, Action<string>? deviceCodeMessage = null)
            => options.Mode switch
            {
                AuthenticationMode.AccessToken => new GivenTokenProvider(options),
                AuthenticationMode.ManagedIdentity => new ManagedIdentityTokenProvider(options, httpClientFactory),
                AuthenticationMode.ClientSecret or AuthenticationMode.Certificate => new ConfidentialClientTokenProvider(options, httpClientFactory),
                _ => new PublicClientTokenProvider(options, httpClientFactory, deviceCodeMessage),
            };

        /// <summary>Plain text of a SecureString for the one call that needs it.</summary>
        internal static string Reveal(SecureString secret)
        {
            IntPtr pointer = Marshal.SecureStringToGlobalAllocUnicode(secret);
            try
            {
                return Marshal.PtrToStringUni(pointer) ?? string.Empty;
            }
            finally
            {
                Marshal.ZeroFreeGlobalAllocUnicode(pointer);
            }
        }
    }

    /// <summary>MSAL gets its HttpClient from the session, so it trusts exactly what the session trusts.</summary>
    internal sealed class SessionHttpClientFactory : IMsalHttpClientFactory
    {
        private readonly Func<HttpClient> _create;
        private HttpClient? _client;

        public SessionHttpClientFactory(Func<HttpClient> create) => _create = create;

        public HttpClient GetHttpClient() => _client ??= _create();
    }

    internal sealed class GivenTokenProvider : AccessTokenProvider
    {
        private readonly SecureString _token;

        public GivenTokenProvider(AuthenticationOptions options)
        {
            _token = options.AccessToken ?? throw new ArgumentException("An access token is required.", nameof(options));
            Account = "a token given with -AccessToken";
        }

        protected override Task<BearerToken> AcquireAsync(bool forceRefresh, CancellationToken cancellationToken)
        {
            string value = Reveal(_token);
            // A given token cannot be refreshed: report its real expiry so the caller can say it ran out.
            return Task.FromResult(new BearerToken(value, JwtExpiry(value) ?? DateTimeOffset.UtcNow.AddHours(1)));
        }

        private static DateTimeOffset? JwtExpiry(string token)
        {
            string[] parts = token.Split('.');
            if (parts.Length < 2)
            {
                return null;
            }

            try
            {
                string payload = parts[1].Replace('-', '+').Replace('_', '/');
                payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
                using var document = System.Text.Json.JsonDocument.Parse(Convert.FromBase64String(payload));
                return document.RootElement.TryGetProperty("exp", out System.Text.Json.JsonElement exp) && exp.TryGetInt64(out long seconds)
                    ? DateTimeOffset.FromUnixTimeSeconds(seconds)
                    : null;
            }
            catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException)
            {
                return null;
            }
        }
    }

    internal sealed class ConfidentialClientTokenProvider : AccessTokenProvider
    {
        private readonly IConfidentialClientApplication _app;
        private readonly string[] _scopes;

        public ConfidentialClientTokenProvider(AuthenticationOptions options, Func<HttpClient> httpClientFactory)
        {
            if (string.IsNullOrEmpty(options.TenantId) || string.IsNullOrEmpty(options.ClientId))
            {
                throw new ArgumentException("App sign-in needs a tenant id and a client id.", nameof(options));
            }

            ConfidentialClientApplicationBuilder builder = ConfidentialClientApplicationBuilder.Create(options.ClientId)
                .WithAuthority(new Uri(options.Endpoints.AuthorityHost, options.TenantId), validateAuthority: !options.Endpoints.IsTest)
                .WithHttpClientFactory(new SessionHttpClientFactory(httpClientFactory));
            if (options.Endpoints.IsTest)
            {
                builder = builder.WithInstanceDiscovery(false);
            }

            builder = options.Mode == AuthenticationMode.Certificate
                ? builder.WithCertificate(options.Certificate ?? throw new ArgumentException("A certificate is required.", nameof(options)), sendX5C: true)
                : builder.WithClientSecret(Reveal(options.ClientSecret ?? throw new ArgumentException("A client secret is required.", nameof(options))));
            _app = builder.Build();
            _scopes = new[] { options.Endpoints.Scope };
            Account = $"app {options.ClientId} in tenant {options.TenantId}";
        }

        protected override async Task<BearerToken> AcquireAsync(bool forceRefresh, CancellationToken cancellationToken)
        {
            AuthenticationResult result = await _app.AcquireTokenForClient(_scopes).WithForceRefresh(forceRefresh).ExecuteAsync(cancellationToken).ConfigureAwait(false);
            return new BearerToken(result.AccessToken, result.ExpiresOn);
        }
    }

    internal sealed class ManagedIdentityTokenProvider : AccessTokenProvider
    {
        private readonly IManagedIdentityApplication _app;
        private readonly string _resource;

        public ManagedIdentityTokenProvider(AuthenticationOptions options, Func<HttpClient> httpClientFactory)
        {
            ManagedIdentityId id = string.IsNullOrEmpty(options.ManagedIdentityClientId) ? ManagedIdentityId.SystemAssigned : ManagedIdentityId.WithUserAssignedClientId(options.ManagedIdentityClientId);
            _app = ManagedIdentityApplicationBuilder.Create(id).WithHttpClientFactory(new SessionHttpClientFactory(httpClientFactory)).Build();
            _resource = options.Endpoints.Audience;
            Account = string.IsNullOrEmpty(options.ManagedIdentityClientId) ? "system-assigned managed identity" : $"managed identity {options.ManagedIdentityClientId}";
        }

        protected override async Task<BearerToken> AcquireAsync(bool forceRefresh, CancellationToken cancellationToken)
        {
            AuthenticationResult result = await _app.AcquireTokenForManagedIdentity(_resource).WithForceRefresh(forceRefresh).ExecuteAsync(cancellationToken).ConfigureAwait(false);
            return new BearerToken(result.AccessToken, result.ExpiresOn);
        }
    }

    internal sealed class PublicClientTokenProvider : AccessTokenProvider
    {
        private readonly IPublicClientApplication _app;
        private readonly string[] _scopes;
        private readonly bool _deviceCode;
        private readonly Action<string>? _deviceCodeMessage;
        private IAccount? _account;

        public PublicClientTokenProvider(AuthenticationOptions options, Func<HttpClient> httpClientFactory, Action<string>? deviceCodeMessage)
        {
            PublicClientApplicationBuilder builder = PublicClientApplicationBuilder.Create(options.ClientId ?? AuthenticationOptions.DefaultPublicClientId)
                .WithAuthority(new Uri(options.Endpoints.AuthorityHost, options.TenantId ?? "organizations"), validateAuthority: !options.Endpoints.IsTest)
                .WithHttpClientFactory(new SessionHttpClientFactory(httpClientFactory))
                .WithRedirectUri("http://localhost");
            if (options.Endpoints.IsTest)
            {
                builder = builder.WithInstanceDiscovery(false);
            }

            _app = builder.Build();
            _scopes = options.Scopes.Length > 0 ? options.Scopes : new[] { options.Endpoints.Scope };
            _deviceCode = options.Mode == AuthenticationMode.DeviceCode;
            _deviceCodeMessage = deviceCodeMessage;
            Account = "a user";
        }

        protected override async Task<BearerToken> AcquireAsync(bool forceRefresh, CancellationToken cancellationToken)
        {
            AuthenticationResult result;
            if (_account is not null)
            {
                try
                {
                    // The refresh token MSAL cached at sign-in renews the access token without prompting again.
                    result = await _app.AcquireTokenSilent(_scopes, _account).WithForceRefresh(forceRefresh).ExecuteAsync(cancellationToken).ConfigureAwait(false);
                    return new BearerToken(result.AccessToken, result.ExpiresOn);
                }
                catch (MsalUiRequiredException)
                {
                    // Fall through to a new sign-in.
                }
            }

            result = _deviceCode
                ? await _app.AcquireTokenWithDeviceCode(_scopes, code =>
                {
                    _deviceCodeMessage?.Invoke(code.Message);
                    return Task.CompletedTask;
                }).ExecuteAsync(cancellationToken).ConfigureAwait(false)
                : await _app.AcquireTokenInteractive(_scopes).ExecuteAsync(cancellationToken).ConfigureAwait(false);
            _account = result.Account;
            Account = result.Account?.Username ?? "a user";
            return new BearerToken(result.AccessToken, result.ExpiresOn);
        }
    }
}
