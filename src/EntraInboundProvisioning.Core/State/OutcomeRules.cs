using System;
using System.Text.Json;
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

        /// <summary>A processing step of the entry skipped the manager reference.</summary>
        private static bool UnresolvedManager(ProvisioningLogEntry entry)
        {
            if (entry.RawJson.IndexOf(UnresolvedReference, StringComparison.Ordinal) < 0)
            {
                return false; // the common case, without parsing
            }

            try
            {
                using JsonDocument document = JsonDocument.Parse(entry.RawJson);
                if (!document.RootElement.TryGetProperty("provisioningSteps", out JsonElement steps) || steps.ValueKind != JsonValueKind.Array)
                {
                    return false;
                }

                foreach (JsonElement step in steps.EnumerateArray())
                {
                    if (step.TryGetProperty("details", out JsonElement details) && details.ValueKind == JsonValueKind.Object
                        && details.TryGetProperty("SkipReason", out JsonElement reason) && string.Equals(reason.GetString(), UnresolvedReference, StringComparison.Ordinal))
                    {
                        return true;
                    }
                }
            }
            catch (JsonException)
            {
                // Not JSON: no step to read.
            }

            return false;
        }
    }
}
