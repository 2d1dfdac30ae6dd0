using System;
using System.Security;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Auth;
using Xunit;

namespace EntraInboundProvisioning.Tests.Auth
{
    public class AccessTokenProviderTests
    {
        /// <summary>A source whose tokens live as long as the test says, counting how often it was asked.</summary>
        private sealed class CountingProvider : AccessTokenProvider
        {
            private readonly TimeSpan _lifetime;

            public CountingProvider(TimeSpan lifetime) => _lifetime = lifetime;

            public int Acquisitions { get; private set; }

            protected override Task<BearerToken> AcquireAsync(bool forceRefresh, CancellationToken cancellationToken)
            {
                Acquisitions++;
                return Task.FromResult(new BearerToken("token-" + Acquisitions, DateTimeOffset.UtcNow + _lifetime));
            }
        }

        internal static SecureString Secure(string text)
        {
            var secure = new SecureString();
            foreach (char c in text)
            {
                secure.AppendChar(c);
            }

            secure.MakeReadOnly();
            return secure;
        }

        private static string Jwt(DateTimeOffset expires)
        {
            static string Part(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
            return Part("{\"alg\":\"none\"}") + "." + Part("{\"aud\":\"https://graph.microsoft.com\",\"exp\":" + expires.ToUnixTimeSeconds() + "}") + ".sig";
        }

        [Fact]
        public async Task ATokenWithTimeLeftIsServedFromTheCache()
        {
            using var provider = new CountingProvider(TimeSpan.FromHours(1));
            BearerToken first = await provider.GetTokenAsync(false, CancellationToken.None);
            BearerToken second = await provider.GetTokenAsync(false, CancellationToken.None);
            Assert.Equal(first.Value, second.Value);
            Assert.Equal(1, provider.Acquisitions);
        }

        [Fact]
        public async Task ATokenNearItsExpiryIsRenewedBeforeUse()
        {
            // A third of a 3-second life is the margin: after 2.2 s the cached token counts as expiring.
            using var provider = new CountingProvider(TimeSpan.FromSeconds(3));
            await provider.GetTokenAsync(false, CancellationToken.None);
            await Task.Delay(TimeSpan.FromSeconds(2.2));
            BearerToken renewed = await provider.GetTokenAsync(false, CancellationToken.None);
            Assert.Equal("token-2", renewed.Value);
        }

        [Fact]
        public async Task AForcedRefreshAsksTheSourceAgain()
        {
            using var provider = new CountingProvider(TimeSpan.FromHours(1));
            await provider.GetTokenAsync(false, CancellationToken.None);
            BearerToken renewed = await provider.GetTokenAsync(true, CancellationToken.None);
            Assert.Equal("token-2", renewed.Value);
        }

        [Fact]
        public async Task AGivenTokenReportsTheExpiryInItsClaims()
        {
            DateTimeOffset expires = DateTimeOffset.UtcNow.AddMinutes(42);
            using AccessTokenProvider provider = AccessTokenProvider.Create(
                new AuthenticationOptions { Mode = AuthenticationMode.AccessToken, AccessToken = Secure(Jwt(expires)) },
                () => throw new InvalidOperationException("A given token needs no HTTP."));
            BearerToken token = await provider.GetTokenAsync(false, CancellationToken.None);
            Assert.Equal(expires.ToUnixTimeSeconds(), token.ExpiresOn.ToUnixTimeSeconds());
            Assert.DoesNotContain("token", provider.Account.Replace("a token given", string.Empty), StringComparison.Ordinal);
        }

        [Fact]
        public void ABearerTokenNeverShowsItsValueWhenFormatted()
        {
            var token = new BearerToken("eyJ-secret-value", DateTimeOffset.UtcNow);
            Assert.DoesNotContain("eyJ-secret-value", token.ToString(), StringComparison.Ordinal);
        }

        [Fact]
        public void AppSignInWithoutTenantOrClientIdIsRefusedBeforeAnyCall()
        {
            var options = new AuthenticationOptions { Mode = AuthenticationMode.ClientSecret, ClientId = "app", ClientSecret = Secure("s3cret!") };
            ArgumentException error = Assert.Throws<ArgumentException>(() => AccessTokenProvider.Create(options, () => throw new InvalidOperationException()));
            Assert.DoesNotContain("s3cret!", error.ToString(), StringComparison.Ordinal);
        }
    }
}
