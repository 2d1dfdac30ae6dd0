using System;
using System.Text.RegularExpressions;
using EntraInboundProvisioning.Auth;

namespace EntraInboundProvisioning.Graph
{
    /// <summary>
    /// The bulkUpload URL the portal shows on a provisioning app's page,
    /// <c>https://graph.microsoft.com/v1.0/servicePrincipals/{id}/synchronization/jobs/{jobId}/bulkUpload</c>: the
    /// service principal and job it names, and whether the session's token may go to its host.
    /// </summary>
    public static class BulkUploadUrl
    {
        private static readonly Regex Path = new Regex(@"/servicePrincipals/(?<sp>[^/]+)/synchronization/jobs/(?<job>[^/]+)/bulkUpload/?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        /// <summary>The service principal and job of a bulkUpload URL; false when it is not one.</summary>
        public static bool TryParse(Uri uri, out string servicePrincipalId, out string jobId)
        {
            Match match = Path.Match(uri.AbsolutePath);
            servicePrincipalId = match.Success ? Uri.UnescapeDataString(match.Groups["sp"].Value) : string.Empty;
            jobId = match.Success ? Uri.UnescapeDataString(match.Groups["job"].Value) : string.Empty;
            return match.Success;
        }

        /// <summary>True when the URL is on the session's Graph host, the only place its token may go.</summary>
        public static bool IsOfSession(Uri uri, CloudEndpoints endpoints)
            => endpoints.MayReceiveToken(new Uri(uri.GetLeftPart(UriPartial.Authority))) || string.Equals(uri.Host, endpoints.Graph.Host, StringComparison.OrdinalIgnoreCase);
    }
}
