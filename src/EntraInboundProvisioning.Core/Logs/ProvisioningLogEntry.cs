using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;

namespace EntraInboundProvisioning.Logs
{
    /// <summary>A property the provisioning service changed (or would change) on the target object.</summary>
    public sealed class ModifiedProperty
    {
        /// <summary>Creates a modified property.</summary>
        public ModifiedProperty(string name, string? oldValue, string? newValue)
        {
            Name = name;
            OldValue = oldValue;
            NewValue = newValue;
        }

        /// <summary>The attribute name.</summary>
        public string Name { get; }

        /// <summary>The value before.</summary>
        public string? OldValue { get; }

        /// <summary>The value after.</summary>
        public string? NewValue { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Name}: '{OldValue}' -> '{NewValue}'";
    }

    /// <summary>
    /// One provisioning log entry (Graph provisioningObjectSummary): what the service did with one record in one
    /// cycle. sourceIdentity.id is the record's externalId.
    /// </summary>
    public sealed class ProvisioningLogEntry
    {
        private ProvisioningLogEntry()
        {
        }

        /// <summary>The entry id.</summary>
        public string Id { get; private set; } = string.Empty;

        /// <summary>When the service acted.</summary>
        public DateTimeOffset ActivityDateTime { get; private set; }

        /// <summary>The provisioning cycle.</summary>
        public string CycleId { get; private set; } = string.Empty;

        /// <summary>The change within the cycle.</summary>
        public string ChangeId { get; private set; } = string.Empty;

        /// <summary>The synchronization job.</summary>
        public string JobId { get; private set; } = string.Empty;

        /// <summary>The record's externalId (sourceIdentity.id).</summary>
        public string ExternalId { get; private set; } = string.Empty;

        /// <summary>The source display name.</summary>
        public string? DisplayName { get; private set; }

        /// <summary>The target object's id in the directory, when one exists.</summary>
        public string? TargetId { get; private set; }

        /// <summary>The target object's display name.</summary>
        public string? TargetDisplayName { get; private set; }

        /// <summary>create, update, delete, disable, stagedDelete or other.</summary>
        public string Action { get; private set; } = string.Empty;

        /// <summary>success, failure, skipped or warning.</summary>
        public string Status { get; private set; } = string.Empty;

        /// <summary>The error code, for failures and warnings.</summary>
        public string? ErrorCode { get; private set; }

        /// <summary>The error category.</summary>
        public string? ErrorCategory { get; private set; }

        /// <summary>Why it failed.</summary>
        public string? Reason { get; private set; }

        /// <summary>More detail.</summary>
        public string? AdditionalDetails { get; private set; }

        /// <summary>What to do about it.</summary>
        public string? RecommendedAction { get; private set; }

        /// <summary>How long the change took.</summary>
        public int? DurationInMilliseconds { get; private set; }

        /// <summary>What changed on the target.</summary>
        public IReadOnlyList<ModifiedProperty> ModifiedProperties { get; private set; } = Array.Empty<ModifiedProperty>();

        /// <summary>The entry as Graph returned it.</summary>
        public string RawJson { get; private set; } = string.Empty;

        /// <summary>Reads an entry from its Graph JSON.</summary>
        /// <exception cref="FormatException">The element lacks the fields every entry has.</exception>
        public static ProvisioningLogEntry FromJson(JsonElement element)
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

        /// <inheritdoc />
        public override string ToString() => $"{ActivityDateTime:u} {ExternalId} {Action} {Status}";

        private static string? Text(JsonElement element, string name)
            => element.TryGetProperty(name, out JsonElement value) ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                _ => value.GetRawText(),
            } : null;
    }
}
