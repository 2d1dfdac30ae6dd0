using System.Collections.Generic;

namespace EntraInboundProvisioning.Logs
{
    /// <summary>One page of GET /auditLogs/provisioning: its entries and the link to the next page, if any.</summary>
    public sealed class ProvisioningLogPage
    {
        /// <summary>Creates a page.</summary>
        public ProvisioningLogPage(IReadOnlyList<ProvisioningLogEntry> entries, string? nextLink)
        {
            Entries = entries;
            NextLink = nextLink;
        }

        /// <summary>The entries, in the query's order.</summary>
        public IReadOnlyList<ProvisioningLogEntry> Entries { get; }

        /// <summary>@odata.nextLink, or null on the last page.</summary>
        public string? NextLink { get; }
    }
}
