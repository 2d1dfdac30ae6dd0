using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using static EntraInboundProvisioning.GraphEmulator.Endpoints.Responses;

namespace EntraInboundProvisioning.GraphEmulator.Endpoints
{
    /// <summary>
    /// POST …/synchronization/jobs/{jobId}/bulkUpload: the bearer token and upload role, application/scim+json,
    /// throttling (per job and the tenant's daily quota), injected faults, the BulkRequest checks, and then the
    /// accepted operations queued for the job's next cycle.
    /// </summary>
    internal sealed class BulkUploadEndpoint(EmulatorState state, GraphAccess access)
    {
        private const string BulkRequestSchema = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
        private const string CoreUserSchema = "urn:ietf:params:scim:schemas:core:2.0:User";

        /// <summary>Maps the endpoint under a Graph version root such as /v1.0.</summary>
        public void Map(IEndpointRouteBuilder app, string root)
            => app.MapPost(root + "/servicePrincipals/{id}/synchronization/jobs/{jobId}/bulkUpload", (HttpContext c, string id, string jobId) => BulkUpload(c, id, jobId));

        private async Task BulkUpload(HttpContext c, string id, string jobId)
        {
            TokenClaims? claims = await access.Authorize(c, "SynchronizationData-User.Upload").ConfigureAwait(false);
            if (claims is null || await access.FindJob(c, id, jobId).ConfigureAwait(false) is not EmulatedJob job)
            {
                return;
            }

            // Graph: the body must be sent as application/scim+json; anything else is "Invalid Data Format".
            string contentType = c.Request.ContentType ?? string.Empty;
            if (!contentType.StartsWith("application/scim+json", StringComparison.OrdinalIgnoreCase))
            {
                await GraphError(c, 400, "InvalidDataFormat", "Invalid Data Format. The request must be sent with Content-Type application/scim+json.").ConfigureAwait(false);
                return;
            }

            string? throttled = null;
            TimeSpan retryAfter = TimeSpan.Zero;
            string fault = "none";
            lock (state.Gate)
            {
                DateTimeOffset now = DateTimeOffset.UtcNow;
                while (job.RecentCalls.Count > 0 && now - job.RecentCalls.Peek() >= state.Options.ThrottleWindow)
                {
                    job.RecentCalls.Dequeue();
                }

                state.TenantCalls.RemoveAll(t => now - t >= TimeSpan.FromHours(24));
                if (state.TenantCalls.Count >= state.Options.DailyQuota)
                {
                    throttled = $"The tenant's daily quota of {state.Options.DailyQuota} bulkUpload calls is exhausted.";
                    retryAfter = TimeSpan.FromHours(1);
                }
                else if (job.RecentCalls.Count >= state.Options.ThrottleLimit)
                {
                    retryAfter = job.RecentCalls.Peek() + state.Options.ThrottleWindow - now;
                    throttled = $"Too many requests: more than {state.Options.ThrottleLimit} calls in {state.Options.ThrottleWindow.TotalSeconds:0} seconds for this job.";
                }
                else
                {
                    job.RecentCalls.Enqueue(now);
                    state.TenantCalls.Add(now);
                    job.BulkUploadCalls++;
                    fault = state.DrawFault(state.Faults);
                }
            }

            if (throttled is not null)
            {
                await Throttled(c, retryAfter, throttled).ConfigureAwait(false);
                return;
            }

            if (await FaultBeforeServing(c, fault).ConfigureAwait(false))
            {
                return;
            }

            string body;
            using (var reader = new StreamReader(c.Request.Body))
            {
                body = await reader.ReadToEndAsync().ConfigureAwait(false);
            }

            (List<AcceptedOperation>? operations, string? problem) = ValidateBulkRequest(job.Id, body);
            if (problem is not null)
            {
                await GraphError(c, 400, "BadRequest", problem).ConfigureAwait(false);
                return;
            }

            lock (state.Gate)
            {
                job.Pending.AddRange(operations!);
                job.Accepted.AddRange(operations!);
            }

            if (state.Options.CycleDelay is TimeSpan delay)
            {
                _ = Task.Delay(delay).ContinueWith(_ => state.RunCycle(job.Id), TaskScheduler.Default);
            }

            if (fault == "dropAfter")
            {
                c.Abort();
                return;
            }

            // 202 with an empty body and a Location header pointing at the provisioning logs.
            c.Response.StatusCode = 202;
            c.Response.Headers.Location = $"https://graph.microsoft.com/beta/auditLogs/provisioning/?$filter=jobid eq '{job.Id}'";
        }

        internal static (List<AcceptedOperation>? Operations, string? Problem) ValidateBulkRequest(string jobId, string body)
        {
            JsonNode? root;
            try
            {
                root = JsonNode.Parse(body);
            }
            catch (JsonException ex)
            {
                return (null, $"The request body is not valid JSON: {ex.Message}");
            }

            if (root is not JsonObject request || request["schemas"] is not JsonArray schemas || !schemas.Any(s => string.Equals(s?.ToString(), BulkRequestSchema, StringComparison.OrdinalIgnoreCase)))
            {
                return (null, $"The request must be a SCIM BulkRequest whose schemas include '{BulkRequestSchema}'.");
            }

            if (request["Operations"] is not JsonArray operations)
            {
                return (null, "The request has no 'Operations' array.");
            }

            if (operations.Count == 0 || operations.Count > 50)
            {
                return (null, $"A bulk request must hold 1 to 50 operations; this one has {operations.Count}.");
            }

            var accepted = new List<AcceptedOperation>();
            int index = 0;
            foreach (JsonNode? node in operations)
            {
                index++;
                if (node is not JsonObject operation)
                {
                    return (null, $"Operation {index} is not an object.");
                }

                if (!string.Equals(operation["method"]?.ToString(), "POST", StringComparison.OrdinalIgnoreCase))
                {
                    return (null, $"Operation {index}: method must be POST.");
                }

                if (!string.Equals(operation["path"]?.ToString(), "/Users", StringComparison.OrdinalIgnoreCase))
                {
                    return (null, $"Operation {index}: path must be /Users.");
                }

                string? bulkId = operation["bulkId"]?.ToString();
                if (string.IsNullOrEmpty(bulkId))
                {
                    return (null, $"Operation {index}: bulkId is required.");
                }

                if (operation["data"] is not JsonObject data || data["schemas"] is not JsonArray dataSchemas || !dataSchemas.Any(s => string.Equals(s?.ToString(), CoreUserSchema, StringComparison.OrdinalIgnoreCase)))
                {
                    return (null, $"Operation {index}: data must list the schema '{CoreUserSchema}'.");
                }

                string? externalId = data["externalId"]?.ToString();
                if (string.IsNullOrWhiteSpace(externalId))
                {
                    return (null, $"Operation {index}: data.externalId is required.");
                }

                accepted.Add(new AcceptedOperation(jobId, externalId, bulkId, DateTimeOffset.UtcNow, (JsonObject)data.DeepClone()));
            }

            return (accepted, null);
        }
    }
}
