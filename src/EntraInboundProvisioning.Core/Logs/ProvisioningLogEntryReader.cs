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
        /// <summary>Reads an entry from its Graph JSON.</summary>
        /// <exception cref="FormatException">The element lacks the fields every entry has.</exception>
        public static ProvisioningLogEntry Read(JsonElement element)
        {
            var entry = new ProvisioningLogEntry
            {
                Id = Text(element, "id") ?? string.Empty,
                CycleId = Text(element, "cycleId") ?? string.Empty,
                ChangeId = Text(element, "changeId") ?? string.Empty,
                JobId = Text(element, "jobId") ?? string.Empty,
                Action = Text(element, "provisioningAction") ?? "other",
                DurationInMilliseconds = element.TryGetProperty("durationInMilliseconds", out JsonElement d) && d.ValueKind == JsonValueKind.Number ? d.GetInt32() : null,
                RawJson = element.GetRawText(),
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

            return entry;
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
