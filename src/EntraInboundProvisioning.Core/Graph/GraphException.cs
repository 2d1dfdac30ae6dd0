using System;
using System.Net;

namespace EntraInboundProvisioning.Graph
{
    /// <summary>A Graph call that failed, with what the service said (never the token).</summary>
    public sealed class GraphException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public GraphException(string message, HttpStatusCode? status = null, string? code = null, string? requestId = null, string? clientRequestId = null, TimeSpan? retryAfter = null, Exception? inner = null)
            : base(message, inner)
        {
            Status = status;
            Code = code;
            RequestId = requestId;
            ClientRequestId = clientRequestId;
            RetryAfter = retryAfter;
        }

        /// <summary>Creates the exception.</summary>
        public GraphException()
        {
        }

        /// <summary>Creates the exception.</summary>
        public GraphException(string message)
            : base(message)
        {
        }

        /// <summary>Creates the exception.</summary>
        public GraphException(string message, Exception inner)
            : base(message, inner)
        {
        }

        /// <summary>The HTTP status, or null when no response arrived (a dropped connection).</summary>
        public HttpStatusCode? Status { get; }

        /// <summary>Graph's error code.</summary>
        public string? Code { get; }

        /// <summary>The request-id header, for Microsoft support.</summary>
        public string? RequestId { get; }

        /// <summary>The client-request-id the module sent.</summary>
        public string? ClientRequestId { get; }

        /// <summary>How long Graph asked the client to wait (429, 503).</summary>
        public TimeSpan? RetryAfter { get; }

        /// <summary>
        /// True where retrying is safe: throttling (429), server errors (5xx) and dropped connections. A 4xx
        /// other than 429 means the request itself is wrong and is never retried.
        /// </summary>
        public bool IsTransient => Status is null || (int)Status.Value == 429 || (int)Status.Value >= 500;
    }
}
