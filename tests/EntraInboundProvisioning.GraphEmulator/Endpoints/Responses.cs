using System;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace EntraInboundProvisioning.GraphEmulator.Endpoints
{
    /// <summary>The response bodies every endpoint family writes: plain JSON, Graph's error object and Entra's OAuth error.</summary>
    internal static class Responses
    {
        public static async Task Json(HttpContext c, JsonObject body, int status = 200)
        {
            c.Response.StatusCode = status;
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync(body.ToJsonString()).ConfigureAwait(false);
        }

        /// <summary>Graph's error shape: error.code, error.message and innerError with the request ids.</summary>
        public static Task GraphError(HttpContext c, int status, string code, string message)
            => Json(c, new JsonObject
            {
                ["error"] = new JsonObject
                {
                    ["code"] = code,
                    ["message"] = message,
                    ["innerError"] = new JsonObject
                    {
                        ["date"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture),
                        ["request-id"] = c.Response.Headers["request-id"].ToString(),
                        ["client-request-id"] = c.Response.Headers["client-request-id"].ToString(),
                    },
                },
            }, status);

        /// <summary>A 429 with Retry-After in whole seconds (at least one), as Graph throttles.</summary>
        public static Task Throttled(HttpContext c, TimeSpan retryAfter, string message)
        {
            c.Response.Headers["Retry-After"] = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return GraphError(c, 429, "TooManyRequests", message);
        }

        /// <summary>
        /// Answers a fault drawn for a request that strikes before it is served (429, 500, 503, a connection dropped
        /// before the request is taken); true when it answered. "none" and faults that strike later are the caller's.
        /// </summary>
        public static async Task<bool> FaultBeforeServing(HttpContext c, string fault)
        {
            switch (fault)
            {
                case "429":
                    await Throttled(c, TimeSpan.FromSeconds(1), "Injected throttling.").ConfigureAwait(false);
                    return true;
                case "500":
                    await GraphError(c, 500, "InternalServerError", "Injected server error.").ConfigureAwait(false);
                    return true;
                case "503":
                    await GraphError(c, 503, "ServiceUnavailable", "Injected unavailability.").ConfigureAwait(false);
                    return true;
                case "dropBefore":
                    c.Abort();
                    return true;
                default:
                    return false;
            }
        }

        /// <summary>The token endpoint's error shape: error, error_description with the AADSTS code, error_codes.</summary>
        public static Task AadError(HttpContext c, int status, string error, string description, int code)
            => Json(c, new JsonObject
            {
                ["error"] = error,
                ["error_description"] = description,
                ["error_codes"] = new JsonArray(code),
                ["timestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd HH:mm:ssZ", CultureInfo.InvariantCulture),
                ["trace_id"] = Guid.NewGuid().ToString(),
                ["correlation_id"] = Guid.NewGuid().ToString(),
            }, status);
    }
}
