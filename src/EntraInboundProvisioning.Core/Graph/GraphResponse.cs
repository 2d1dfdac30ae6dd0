using System;
using System.Net;

namespace EntraInboundProvisioning.Graph
{
    /// <summary>A Graph response: status, body and the headers the module reports.</summary>
    public sealed class GraphResponse
    {
        internal GraphResponse(HttpStatusCode status, string body, string? requestId, string clientRequestId, Uri? location, TimeSpan? retryAfter)
        {
            Status = status;
            Body = body;
            RequestId = requestId;
            ClientRequestId = clientRequestId;
            Location = location;
            RetryAfter = retryAfter;
        }

        /// <summary>The HTTP status.</summary>
        public HttpStatusCode Status { get; }

        /// <summary>The body (empty for 202/204).</summary>
        public string Body { get; }

        /// <summary>The request-id header.</summary>
        public string? RequestId { get; }

        /// <summary>The client-request-id sent.</summary>
        public string ClientRequestId { get; }

        /// <summary>The Location header (bulkUpload points it at the provisioning logs).</summary>
        public Uri? Location { get; }

        /// <summary>The Retry-After header.</summary>
        public TimeSpan? RetryAfter { get; }
    }
}
