using System;
using System.Collections.Generic;
using System.Management.Automation;
using EntraInboundProvisioning.Auth;
using EntraInboundProvisioning.Graph;

namespace EntraInboundProvisioning.PowerShell.Session
{
    /// <summary>The one Graph session of this PowerShell process, as Connect-MgGraph keeps one.</summary>
    internal static class ProvisioningSession
    {
        private static readonly object Gate = new object();
        private static ProvisioningApi? _api;
        private static EntraProvisioningContext? _context;
        private static readonly List<ServicePrincipalInfo> Known = new List<ServicePrincipalInfo>();

        /// <summary>The session's API, or null when not connected (for completers).</summary>
        public static ProvisioningApi? Api
        {
            get
            {
                lock (Gate)
                {
                    return _api;
                }
            }
        }

        /// <summary>Remembers an app the session worked with, for -ServicePrincipalId completion.</summary>
        public static void Remember(ServicePrincipalInfo servicePrincipal)
        {
            lock (Gate)
            {
                Known.RemoveAll(k => k.Id == servicePrincipal.Id);
                Known.Insert(0, servicePrincipal);
            }
        }

        public static IReadOnlyList<ServicePrincipalInfo> KnownServicePrincipals()
        {
            lock (Gate)
            {
                return Known.ToArray();
            }
        }

        /// <summary>The session's API, or a terminating NotConnected error for the calling cmdlet.</summary>
        public static ProvisioningApi Require(PSCmdlet cmdlet)
        {
            lock (Gate)
            {
                if (_api is not null)
                {
                    return _api;
                }
            }

            cmdlet.ThrowTerminatingError(new ErrorRecord(
                new InvalidOperationException("Not connected. Run Connect-EntraProvisioning first (for example Connect-EntraProvisioning -TenantId contoso.onmicrosoft.com -ClientId <appId> -CertificateThumbprint <thumbprint>)."),
                "NotConnected",
                ErrorCategory.AuthenticationError,
                null));
            throw new InvalidOperationException(); // not reached
        }

        public static void Set(ProvisioningApi api, EntraProvisioningContext context)
        {
            ProvisioningApi? previous;
            lock (Gate)
            {
                previous = _api;
                _api = api;
                _context = context;
            }

            previous?.Graph.Dispose();
        }

        public static EntraProvisioningContext? Clear()
        {
            ProvisioningApi? previous;
            EntraProvisioningContext? context;
            lock (Gate)
            {
                previous = _api;
                context = _context;
                _api = null;
                _context = null;
            }

            previous?.Graph.Dispose();
            return context;
        }
    }
}
