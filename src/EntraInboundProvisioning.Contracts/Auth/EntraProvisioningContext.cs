using System;

// The name is kept from when the type lived beside the cmdlets: scripts name it by this literal.
namespace EntraInboundProvisioning.PowerShell.Session
{
    /// <summary>
    /// What Connect-EntraProvisioning shows about the session: who, where, how. Never a secret or a token.
    /// </summary>
    public sealed class EntraProvisioningContext
    {
        internal EntraProvisioningContext(string? tenantId, string? clientId, string mode, string environment, string account, Uri graphEndpoint, DateTimeOffset tokenExpiresOn)
        {
            TenantId = tenantId;
            ClientId = clientId;
            AuthenticationMode = mode;
            Environment = environment;
            Account = account;
            GraphEndpoint = graphEndpoint;
            TokenExpiresOn = tokenExpiresOn;
        }

        /// <summary>The tenant.</summary>
        public string? TenantId { get; }

        /// <summary>The application (client) id, when one signs in.</summary>
        public string? ClientId { get; }

        /// <summary>How the session signs in.</summary>
        public string AuthenticationMode { get; }

        /// <summary>The cloud.</summary>
        public string Environment { get; }

        /// <summary>Who signed in.</summary>
        public string Account { get; }

        /// <summary>Where Graph requests go.</summary>
        public Uri GraphEndpoint { get; }

        /// <summary>When the current token expires (it is renewed automatically before then).</summary>
        public DateTimeOffset TokenExpiresOn { get; }
    }
}
