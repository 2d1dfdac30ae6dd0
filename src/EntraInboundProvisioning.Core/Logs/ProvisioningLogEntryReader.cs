using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;

namespace EntraInboundProvisioning.Logs
{
    /// <summary>
    /// Reads provisioning log entries from Graph's JSON. It lives in Core, not beside ProvisioningLogEntry, because it
    /// needs System.Text.Json and the public types carry no dependency.
    /// </summary>
    public static class ProvisioningLogEntryReader
    {
        private const string UnresolvedReferenceReason = "UnableToResolveReferenceAttributeValue";

        /// <summary>Reads an entry from its Graph JSON, keeping the raw JSON.</summary>
        /// <exception cref="FormatException">The element lacks the fields every entry has.</exception>
        public static ProvisioningLogEntry Read(JsonElement element) => Read(element, keepRawJson: true);

        /// <summary>Reads an entry from its Graph JSON; the raw JSON (most of an entry's size) only when asked.</summary>
        /// <exception cref="FormatException">The element lacks the fields every entry has.</exception>
        public static ProvisioningLogEntry Read(JsonElement element, bool keepRawJson)
        {
            var entry = new ProvisioningLogEntry
            {
                Id = Text(element, "id") ?? string.Empty,
                CycleId = Text(element, "cycleId") ?? string.Empty,
                ChangeId = Text(element, "changeId") ?? string.Empty,
                JobId = Text(element, "jobId") ?? string.Empty,
                Action = Text(element, "provisioningAction") ?? "other",
                DurationInMilliseconds = element.TryGetProperty("durationInMilliseconds", out JsonElement d) && d.ValueKind == JsonValueKind.Number ? d.GetInt32() : null,
                RawJson = keepRawJson ? element.GetRawText() : string.Empty,
            };

            string? when = Text(element, "activityDateTime");
            if (when is null || !DateTimeOffset.TryParse(when, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at))
            {
                throw new FormatException($"Provisioning log entry '{entry.Id}' has no valid activityDateTime.");
            }

            entry.ActivityDateTime = at;
            if (element.TryGetProperty("sourceIdentity", out JsonElement source) && source.ValueKind == JsonValueKind.Object)
            {
                entry.ExternalId = Text(source, "id") ?? string.Empty;
                entry.DisplayName = Text(source, "displayName");
            }

            if (element.TryGetProperty("targetIdentity", out JsonElement target) && target.ValueKind == JsonValueKind.Object)
            {
                entry.TargetId = Text(target, "id");
                entry.TargetDisplayName = Text(target, "displayName");
            }

            if (element.TryGetProperty("provisioningStatusInfo", out JsonElement status) && status.ValueKind == JsonValueKind.Object)
            {
                entry.Status = Text(status, "status") ?? string.Empty;
                if (status.TryGetProperty("errorInformation", out JsonElement error) && error.ValueKind == JsonValueKind.Object)
                {
                    entry.ErrorCode = Text(error, "errorCode");
                    entry.ErrorCategory = Text(error, "errorCategory");
                    entry.Reason = Text(error, "reason");
                    entry.AdditionalDetails = Text(error, "additionalDetails");
                    entry.RecommendedAction = Text(error, "recommendedAction");
                }
            }

            if (element.TryGetProperty("modifiedProperties", out JsonElement modified) && modified.ValueKind == JsonValueKind.Array)
            {
                var properties = new List<ModifiedProperty>();
                foreach (JsonElement property in modified.EnumerateArray())
                {
                    properties.Add(new ModifiedProperty(Text(property, "displayName") ?? string.Empty, Text(property, "oldValue"), Text(property, "newValue")));
                }

                entry.ModifiedProperties = properties;
            }

            entry.UnresolvedReference = UnresolvedReference(element);
            return entry;
        }

        /// <summary>
        /// The property of a processing step that skipped a reference the service could not resolve (Microsoft's sample
        /// provisioning log: details.SkipReason UnableToResolveReferenceAttributeValue, details.PropertyName manager).
        /// </summary>
        private static string? UnresolvedReference(JsonElement element)
        {
            if (!element.TryGetProperty("provisioningSteps", out JsonElement steps) || steps.ValueKind != JsonValueKind.Array)
            {
                return null;
            }

            foreach (JsonElement step in steps.EnumerateArray())
            {
                if (step.ValueKind == JsonValueKind.Object && step.TryGetProperty("details", out JsonElement details) && details.ValueKind == JsonValueKind.Object
                    && details.TryGetProperty("SkipReason", out JsonElement reason) && reason.ValueKind == JsonValueKind.String
                    && string.Equals(reason.GetString(), UnresolvedReferenceReason, StringComparison.Ordinal))
                {
                    return Text(details, "PropertyName") ?? "manager";
                }
            }

            return null;
        }

        private static string? Text(JsonElement element, string name)
            => element.TryGetProperty(name, out JsonElement value) ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                _ => value.GetRawText(),
            } : null;
    }
}
