using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace EntraInboundProvisioning.Logs
{
    /// <summary>
    /// What to read from GET /auditLogs/provisioning: the OData $filter (jobId, cycleId, sourceIdentity/id,
    /// activityDateTime ge/le, provisioningAction, provisioningStatusInfo/status, joined with 'and'), newest first.
    /// </summary>
    public sealed class ProvisioningLogQuery
    {
        /// <summary>The job whose logs to read (required).</summary>
        public string JobId { get; set; } = string.Empty;

        /// <summary>Only this cycle.</summary>
        public string? CycleId { get; set; }

        /// <summary>Entries at or after this time.</summary>
        public DateTimeOffset? Since { get; set; }

        /// <summary>Entries at or before this time.</summary>
        public DateTimeOffset? Until { get; set; }

        /// <summary>Only this status (success, failure, skipped, warning).</summary>
        public ProvisioningStatus? Status { get; set; }

        /// <summary>Only this action.</summary>
        public ProvisioningAction? Action { get; set; }

        /// <summary>Only this record (sourceIdentity/id). Several ids are filtered after reading.</summary>
        public string? ExternalId { get; set; }

        /// <summary>Page size ($top); Graph returns at most 1,000 per page for this API.</summary>
        public int PageSize { get; set; } = 500;

        /// <summary>The relative URL of the first page.</summary>
        public string ToRelativeUrl()
        {
            if (string.IsNullOrEmpty(JobId))
            {
                throw new InvalidOperationException("A provisioning log query needs a job id.");
            }

            var clauses = new List<string> { $"jobId eq {Literal(JobId)}" };
            if (CycleId is not null)
            {
                clauses.Add($"cycleId eq {Literal(CycleId)}");
            }

            if (ExternalId is not null)
            {
                clauses.Add($"sourceIdentity/id eq {Literal(ExternalId)}");
            }

            if (Since is not null)
            {
                clauses.Add($"activityDateTime ge {Since.Value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)}");
            }

            if (Until is not null)
            {
                clauses.Add($"activityDateTime le {Until.Value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)}");
            }

            if (Action is not null)
            {
                clauses.Add($"provisioningAction eq {Literal(ActionText(Action.Value))}");
            }

            if (Status is not null)
            {
                clauses.Add($"provisioningStatusInfo/status eq {Literal(Status.Value.ToString().ToLowerInvariant())}");
            }

            var url = new StringBuilder("auditLogs/provisioning?$filter=");
            url.Append(Uri.EscapeDataString(string.Join(" and ", clauses)));
            url.Append("&$orderby=").Append(Uri.EscapeDataString("activityDateTime desc"));
            url.Append("&$top=").Append(PageSize.ToString(CultureInfo.InvariantCulture));
            return url.ToString();
        }

        /// <summary>Graph's spelling of an action in $filter.</summary>
        public static string ActionText(ProvisioningAction action) => action == ProvisioningAction.StagedDelete ? "stagedDelete" : action.ToString().ToLowerInvariant();

        /// <summary>An OData string literal: single quotes, inner quotes doubled.</summary>
        public static string Literal(string value) => "'" + value.Replace("'", "''") + "'";
    }
}
