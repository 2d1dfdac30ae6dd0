using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace EntraInboundProvisioning.Logs
{
    /// <summary>
    /// What to read from GET /auditLogs/provisioning, filtered on the server only as Microsoft documents the
    /// provisioningObjectSummary list: jobId, cycleId, sourceIdentity/id, provisioningAction and
    /// provisioningStatusInfo/status with eq, activityDateTime with gt and lt (not ge or le), joined with 'and'; several
    /// records as a group of sourceIdentity/id eq clauses joined with 'or'. Ordered by activityDateTime, newest first
    /// unless <see cref="Ascending"/>.
    /// </summary>
    public sealed class ProvisioningLogQuery
    {
        /// <summary>
        /// The page size asked for. The list documents $top without a maximum; its sibling report (signIns) documents
        /// 1,000 as the largest page, and the module follows @odata.nextLink whatever size a page comes back at.
        /// </summary>
        public const int LargestPage = 1000;

        /// <summary>
        /// The longest request URL a query makes, scheme, host and version included. Graph documents no limit for this
        /// API; 2,048 characters is the limit many HTTP stacks between a client and Graph keep, so records are split into
        /// groups that fit it.
        /// </summary>
        public const int UrlBudget = 2048;

        // "https://graph.microsoft.com/v1.0/" and the longest national-cloud hosts fit in this.
        private const int BaseUrlAllowance = 64;

        private static readonly string[] NoRecords = Array.Empty<string>();

        /// <summary>The job whose logs to read (required).</summary>
        public string JobId { get; set; } = string.Empty;

        /// <summary>Only this cycle.</summary>
        public string? CycleId { get; set; }

        /// <summary>Entries at or after this time (sent as activityDateTime gt a millisecond earlier).</summary>
        public DateTimeOffset? Since { get; set; }

        /// <summary>Entries at or before this time (sent as activityDateTime lt a millisecond later).</summary>
        public DateTimeOffset? Until { get; set; }

        /// <summary>Only this status (success, failure, skipped, warning).</summary>
        public ProvisioningStatus? Status { get; set; }

        /// <summary>Only this action.</summary>
        public ProvisioningAction? Action { get; set; }

        /// <summary>Only this record (sourceIdentity/id).</summary>
        public string? ExternalId
        {
            get => ExternalIds.Count == 1 ? ExternalIds[0] : null;
            set => ExternalIds = value is null ? NoRecords : new[] { value };
        }

        /// <summary>Only these records; <see cref="Split"/> groups them into queries whose URL fits <see cref="UrlBudget"/>.</summary>
        public IReadOnlyList<string> ExternalIds { get; set; } = NoRecords;

        /// <summary>Oldest first (for reading what is new since a time); newest first otherwise.</summary>
        public bool Ascending { get; set; }

        /// <summary>Page size ($top).</summary>
        public int PageSize { get; set; } = LargestPage;

        /// <summary>
        /// True when an entry the server returned is inside the query's bounds: the time bounds are sent a millisecond
        /// wide (gt and lt are all the API documents), so the exact, inclusive ones are checked here.
        /// </summary>
        public bool Contains(ProvisioningLogEntry entry)
            => (Since is not DateTimeOffset since || entry.ActivityDateTime >= since) && (Until is not DateTimeOffset until || entry.ActivityDateTime <= until);

        /// <summary>
        /// This query as queries whose URLs fit <see cref="UrlBudget"/>: itself, or one per group of records joined with
        /// 'or' (as many as fit). Each group reads only its records' entries; together they read each entry once.
        /// </summary>
        public IReadOnlyList<ProvisioningLogQuery> Split()
        {
            if (ExternalIds.Count <= 1)
            {
                return new[] { this };
            }

            var groups = new List<ProvisioningLogQuery>();
            var current = new List<string>();
            int fixedLength = BaseUrlAllowance + With(NoRecords).ToRelativeUrl().Length + Encoded(" and ()").Length;
            int length = fixedLength;
            foreach (string id in ExternalIds.Distinct(StringComparer.Ordinal))
            {
                int clause = Encoded(RecordClause(id)).Length + (current.Count == 0 ? 0 : Encoded(" or ").Length);
                if (current.Count > 0 && length + clause > UrlBudget)
                {
                    groups.Add(With(current.ToArray()));
                    current.Clear();
                    length = fixedLength;
                    clause = Encoded(RecordClause(id)).Length;
                }

                if (fixedLength + clause > UrlBudget)
                {
                    throw new ArgumentException($"The externalId '{id}' is too long to filter on within a {UrlBudget}-character request.", nameof(ExternalIds));
                }

                current.Add(id);
                length += clause;
            }

            if (current.Count > 0)
            {
                groups.Add(With(current.ToArray()));
            }

            return groups;
        }

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

            if (ExternalIds.Count == 1)
            {
                clauses.Add(RecordClause(ExternalIds[0]));
            }
            else if (ExternalIds.Count > 1)
            {
                clauses.Add("(" + string.Join(" or ", ExternalIds.Select(RecordClause)) + ")");
            }

            // activityDateTime documents eq, gt and lt: an inclusive bound goes out a millisecond wide (Contains narrows it).
            if (Since is not null)
            {
                clauses.Add($"activityDateTime gt {Time(Since.Value.AddMilliseconds(-1))}");
            }

            if (Until is not null)
            {
                clauses.Add($"activityDateTime lt {Time(Until.Value.AddMilliseconds(1))}");
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
            url.Append("&$orderby=").Append(Uri.EscapeDataString(Ascending ? "activityDateTime asc" : "activityDateTime desc"));
            url.Append("&$top=").Append(PageSize.ToString(CultureInfo.InvariantCulture));
            return url.ToString();
        }

        /// <summary>Graph's spelling of an action in $filter.</summary>
        public static string ActionText(ProvisioningAction action) => action == ProvisioningAction.StagedDelete ? "stagedDelete" : action.ToString().ToLowerInvariant();

        /// <summary>An OData string literal: single quotes, inner quotes doubled.</summary>
        public static string Literal(string value) => "'" + value.Replace("'", "''") + "'";

        /// <summary>A copy of this query for other records.</summary>
        public ProvisioningLogQuery With(IReadOnlyList<string> externalIds) => new ProvisioningLogQuery
        {
            JobId = JobId,
            CycleId = CycleId,
            Since = Since,
            Until = Until,
            Status = Status,
            Action = Action,
            ExternalIds = externalIds,
            Ascending = Ascending,
            PageSize = PageSize,
        };

        private static string RecordClause(string externalId) => $"sourceIdentity/id eq {Literal(externalId)}";

        private static string Encoded(string text) => Uri.EscapeDataString(text);

        private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
    }
}
