using System;
using System.Net;
using System.Text;

namespace EntraInboundProvisioning.Graph
{
    /// <summary>A Graph response: status, body and the headers the module reports.</summary>
    public sealed class GraphResponse
    {
        private readonly byte[] _utf8Body;
        private string? _body;

        internal GraphResponse(HttpStatusCode status, byte[] utf8Body, string? requestId, string clientRequestId, Uri? location, TimeSpan? retryAfter)
        {
            Status = status;
            _utf8Body = utf8Body;
            RequestId = requestId;
            ClientRequestId = clientRequestId;
            Location = location;
            RetryAfter = retryAfter;
        }

        /// <summary>The HTTP status.</summary>
        public HttpStatusCode Status { get; }

        /// <summary>The body (empty for 202/204).</summary>
        public string Body => _body ??= Encoding.UTF8.GetString(_utf8Body);

        /// <summary>The body as Graph sent it: a page of a thousand log entries is parsed from these bytes, never copied into a string first.</summary>
        internal byte[] Utf8Body => _utf8Body;

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
