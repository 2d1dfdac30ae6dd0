using System;
using EntraInboundProvisioning.Logs;

namespace EntraInboundProvisioning.State
{
    /// <summary>
    /// What a provisioning log entry means for a worker's next run: a failure is sent again, and so is a success whose
    /// manager reference the service could not set (the entry says success, and a processing step carries
    /// SkipReason UnableToResolveReferenceAttributeValue; only a later record naming the manager again sets it).
    /// </summary>
    internal static class OutcomeRules
    {
        private const string UnresolvedReference = "UnableToResolveReferenceAttributeValue";

        public static bool IsFailure(ProvisioningLogEntry entry)
            => string.Equals(entry.Status, "failure", StringComparison.OrdinalIgnoreCase) || UnresolvedManager(entry);

        /// <summary>The reason to keep for a failure ("code: reason"), or null for a success.</summary>
        public static string? Reason(ProvisioningLogEntry entry)
        {
            if (string.Equals(entry.Status, "failure", StringComparison.OrdinalIgnoreCase))
            {
                string code = entry.ErrorCode ?? "Failure";
                return string.IsNullOrEmpty(entry.Reason) ? code : $"{code}: {entry.Reason}";
            }

            return UnresolvedManager(entry) ? $"{UnresolvedReference}: the manager reference could not be set in this cycle." : null;
        }

        /// <summary>A processing step of the entry skipped the manager reference (read with the entry, raw JSON or not).</summary>
        private static bool UnresolvedManager(ProvisioningLogEntry entry) => entry.UnresolvedReference is not null;
    }
}
