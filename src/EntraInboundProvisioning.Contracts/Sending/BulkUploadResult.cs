using System;
using System.Collections.Generic;

namespace EntraInboundProvisioning.Sending
{
    /// <summary>The result of sending one bulk request to /bulkUpload.</summary>
    public sealed class BulkUploadResult
    {
        internal BulkUploadResult(int index, BulkUploadStatus status, IReadOnlyList<string> externalIds, string servicePrincipalId, string jobId)
        {
            Index = index;
            Status = status;
            ExternalIds = externalIds;
            ServicePrincipalId = servicePrincipalId;
            JobId = jobId;
        }

        internal BulkUploadResult(Scim.BulkRequest request, BulkUploadStatus status, string servicePrincipalId, string jobId)
            : this(request.Index, status, request.ExternalIds, servicePrincipalId, jobId)
        {
            Request = request;
        }

        /// <summary>The request's index in the run.</summary>
        public int Index { get; }

        /// <summary>Accepted, Failed, AlreadyAccepted or NotSent.</summary>
        public BulkUploadStatus Status { get; }

        /// <summary>The HTTP status of the last attempt (202 when accepted), or null when no response arrived.</summary>
        public int? HttpStatus { get; internal set; }

        /// <summary>The records in the request.</summary>
        public IReadOnlyList<string> ExternalIds { get; }

        /// <summary>Number of records.</summary>
        public int OperationCount => ExternalIds.Count;

        /// <summary>Calls made for this request (1 unless retried).</summary>
        public int Attempts { get; internal set; }

        /// <summary>Graph's request-id of the last attempt, for Microsoft support.</summary>
        public string? RequestId { get; internal set; }

        /// <summary>The client-request-id sent (the same on every attempt of one request).</summary>
        public string? ClientRequestId { get; internal set; }

        /// <summary>Where the provisioning logs of the upload will be (the Location header).</summary>
        public Uri? Location { get; internal set; }

        /// <summary>Time from the first attempt to the final answer.</summary>
        public TimeSpan Elapsed { get; internal set; }

        /// <summary>When the service accepted the request (this machine's clock), or null when it did not.</summary>
        public DateTimeOffset? AcceptedAt { get; internal set; }

        /// <summary>Why it failed or was not sent.</summary>
        public string? Error { get; internal set; }

        /// <summary>Graph's error code, when there was one.</summary>
        public string? ErrorCode { get; internal set; }

        /// <summary>The request this result answers (what was sent, with its facts), for whoever records its acceptance.</summary>
        internal Scim.BulkRequest? Request { get; set; }

        /// <summary>The target service principal.</summary>
        public string ServicePrincipalId { get; }

        /// <summary>The target job.</summary>
        public string JobId { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Index}: {Status} ({OperationCount} records)";
    }
}
