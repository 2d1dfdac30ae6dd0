using System;
using System.Security;
using System.Security.Cryptography.X509Certificates;

namespace EntraInboundProvisioning.Auth
{
    /// <summary>How a session signs in.</summary>
    public enum AuthenticationMode
    {
        /// <summary>A user signs in with a browser (public client, authorization code with PKCE).</summary>
        Interactive,
        /// <summary>A user signs in on another device with a code.</summary>
        DeviceCode,
        /// <summary>An app with a client secret.</summary>
        ClientSecret,
        /// <summary>An app with a certificate.</summary>
        Certificate,
        /// <summary>The managed identity of an Azure Automation account, VM or App Service.</summary>
        ManagedIdentity,
        /// <summary>A token obtained elsewhere.</summary>
        AccessToken,
    }
}
