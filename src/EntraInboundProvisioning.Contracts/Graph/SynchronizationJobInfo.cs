using System;
using System.Linq;

namespace EntraInboundProvisioning.Graph
{
    /// <summary>A synchronization (provisioning) job and its status.</summary>
    public sealed class SynchronizationJobInfo
    {
        /// <summary>Templates of API-driven inbound provisioning apps: to Entra ID and to on-premises AD.</summary>
        private static readonly string[] ApiDrivenTemplates = { "API2AAD", "API2AD" };

        internal SynchronizationJobInfo(string servicePrincipalId, string id, string templateId, string rawJson)
        {
            ServicePrincipalId = servicePrincipalId;
            Id = id;
            TemplateId = templateId;
            RawJson = rawJson;
        }

        /// <summary>The service principal that owns the job.</summary>
        public string ServicePrincipalId { get; }

        /// <summary>The job id.</summary>
        public string Id { get; }

        /// <summary>The template (API2AAD, API2AD for API-driven inbound).</summary>
        public string TemplateId { get; }

        /// <summary>Active, Paused, Quarantine, NotConfigured or NotRun.</summary>
        public string Status { get; internal set; } = string.Empty;

        /// <summary>When the last cycle began and ended, and how it went.</summary>
        public JobExecution? LastExecution { get; internal set; }

        /// <summary>The last cycle that succeeded.</summary>
        public JobExecution? LastSuccessfulExecution { get; internal set; }

        /// <summary>Why the job is in quarantine, when it is.</summary>
        public string? QuarantineReason { get; internal set; }

        /// <summary>Since when the job is in quarantine.</summary>
        public DateTimeOffset? QuarantineSince { get; internal set; }

        /// <summary>
        /// True when the job is in quarantine: uploads are still accepted, but the service processes none of them until
        /// the job leaves it (the status says Quarantine).
        /// </summary>
        public bool IsQuarantined => string.Equals(Status, "Quarantine", StringComparison.OrdinalIgnoreCase);

        /// <summary>True for an API-driven inbound provisioning job.</summary>
        public bool IsApiDriven => ApiDrivenTemplates.Any(t => TemplateId.StartsWith(t, StringComparison.OrdinalIgnoreCase)) || Id.StartsWith("API2", StringComparison.OrdinalIgnoreCase);

        /// <summary>The job as Graph returned it.</summary>
        public string RawJson { get; }
    }
}
