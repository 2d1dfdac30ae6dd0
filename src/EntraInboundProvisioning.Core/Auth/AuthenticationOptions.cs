using System;
using System.Security;
using System.Security.Cryptography.X509Certificates;

namespace EntraInboundProvisioning.Auth
{
    /// <summary>Everything a token provider needs; secrets stay in SecureString until the moment MSAL needs them.</summary>
    public sealed class AuthenticationOptions
    {
        /// <summary>Microsoft's first-party client id of Microsoft Graph PowerShell, used for user sign-in when no -ClientId is given.</summary>
        public const string DefaultPublicClientId = "14d82eec-204b-4c2f-b7e8-296a70dab67e";

        /// <summary>How to sign in.</summary>
        public AuthenticationMode Mode { get; set; }

        /// <summary>The tenant (id or domain); 'organizations' for user sign-in when not given.</summary>
        public string? TenantId { get; set; }

        /// <summary>The application (client) id.</summary>
        public string? ClientId { get; set; }

        /// <summary>The client secret, for <see cref="AuthenticationMode.ClientSecret"/>.</summary>
        public SecureString? ClientSecret { get; set; }

        /// <summary>The certificate with its private key, for <see cref="AuthenticationMode.Certificate"/>.</summary>
        public X509Certificate2? Certificate { get; set; }

        /// <summary>The client id of a user-assigned managed identity; null for system-assigned.</summary>
        public string? ManagedIdentityClientId { get; set; }

        /// <summary>The token, for <see cref="AuthenticationMode.AccessToken"/>.</summary>
        public SecureString? AccessToken { get; set; }

        /// <summary>Delegated scopes for user sign-in; the cloud's .default when empty.</summary>
        public string[] Scopes { get; set; } = Array.Empty<string>();

        /// <summary>Where to sign in and send requests.</summary>
        public CloudEndpoints Endpoints { get; set; } = CloudEndpoints.For(CloudEnvironment.Global);
    }
}
