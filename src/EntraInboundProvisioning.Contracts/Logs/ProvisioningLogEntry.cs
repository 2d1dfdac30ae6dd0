using System;
using System.Collections.Generic;

namespace EntraInboundProvisioning.Logs
{
    /// <summary>
    /// One provisioning log entry (Graph provisioningObjectSummary): what the service did with one record in one
    /// cycle. sourceIdentity.id is the record's externalId.
    /// </summary>
    public sealed class ProvisioningLogEntry
    {
        internal ProvisioningLogEntry()
        {
        }

        /// <summary>The entry id.</summary>
        public string Id { get; internal set; } = string.Empty;

        /// <summary>When the service acted.</summary>
        public DateTimeOffset ActivityDateTime { get; internal set; }

        /// <summary>The provisioning cycle.</summary>
        public string CycleId { get; internal set; } = string.Empty;

        /// <summary>The change within the cycle.</summary>
        public string ChangeId { get; internal set; } = string.Empty;

        /// <summary>The synchronization job.</summary>
        public string JobId { get; internal set; } = string.Empty;

        /// <summary>The record's externalId (sourceIdentity.id).</summary>
        public string ExternalId { get; internal set; } = string.Empty;

        /// <summary>The source display name.</summary>
        public string? DisplayName { get; internal set; }

        /// <summary>The target object's id in the directory, when one exists.</summary>
        public string? TargetId { get; internal set; }

        /// <summary>The target object's display name.</summary>
        public string? TargetDisplayName { get; internal set; }

        /// <summary>create, update, delete, disable, stagedDelete or other.</summary>
        public string Action { get; internal set; } = string.Empty;

        /// <summary>success, failure, skipped or warning.</summary>
        public string Status { get; internal set; } = string.Empty;

        /// <summary>The error code, for failures and warnings.</summary>
        public string? ErrorCode { get; internal set; }

        /// <summary>The error category.</summary>
        public string? ErrorCategory { get; internal set; }

        /// <summary>Why it failed.</summary>
        public string? Reason { get; internal set; }

        /// <summary>More detail.</summary>
        public string? AdditionalDetails { get; internal set; }

        /// <summary>What to do about it.</summary>
        public string? RecommendedAction { get; internal set; }

        /// <summary>How long the change took.</summary>
        public int? DurationInMilliseconds { get; internal set; }

        /// <summary>What changed on the target.</summary>
        public IReadOnlyList<ModifiedProperty> ModifiedProperties { get; internal set; } = Array.Empty<ModifiedProperty>();

        /// <summary>
        /// The reference attribute (manager) the service could not set in this cycle because the record it names was not
        /// there yet: a processing step with SkipReason UnableToResolveReferenceAttributeValue. Null when none. The entry's
        /// status stays success; the record needs sending again once the manager exists.
        /// </summary>
        public string? UnresolvedReference { get; internal set; }

        /// <summary>The entry as Graph returned it; empty unless asked for (Get-ProvisioningCycleLog -Raw).</summary>
        public string RawJson { get; internal set; } = string.Empty;

        /// <inheritdoc />
        public override string ToString() => $"{ActivityDateTime:u} {ExternalId} {Action} {Status}";
    }
}
