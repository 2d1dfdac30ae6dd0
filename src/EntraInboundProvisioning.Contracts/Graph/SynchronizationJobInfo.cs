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

        /// <summary>True for an API-driven inbound provisioning job.</summary>
        public bool IsApiDriven => ApiDrivenTemplates.Any(t => TemplateId.StartsWith(t, StringComparison.OrdinalIgnoreCase)) || Id.StartsWith("API2", StringComparison.OrdinalIgnoreCase);

        /// <summary>The job as Graph returned it.</summary>
        public string RawJson { get; }
    }

    /// <summary>One execution of a job.</summary>
    public sealed class JobExecution
    {
        internal JobExecution(string? state, DateTimeOffset? began, DateTimeOffset? ended, string? error)
        {
            State = state;
            Began = began;
            Ended = ended;
            Error = error;
        }

        /// <summary>Succeeded, Failed, Warning…</summary>
        public string? State { get; }

        /// <summary>Start.</summary>
        public DateTimeOffset? Began { get; }

        /// <summary>End.</summary>
        public DateTimeOffset? Ended { get; }

        /// <summary>The error message, when it failed.</summary>
        public string? Error { get; }

        /// <inheritdoc />
        public override string ToString() => $"{State} {Began:u}";
    }
}
