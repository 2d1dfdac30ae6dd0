using System;
using System.Collections.Generic;
using System.Globalization;
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
    /// Graph's service principal and synchronization endpoints: service principals (by id, $filter=appId eq),
    /// jobs (list, get, start, pause, restart) and the job schema (GET, and PUT that replaces the whole document).
    /// </summary>
    internal sealed class SynchronizationEndpoints(EmulatorState state, GraphAccess access)
    {
        /// <summary>Maps the endpoints under a Graph version root such as /v1.0.</summary>
        public void Map(IEndpointRouteBuilder app, string root)
        {
            app.MapGet(root + "/servicePrincipals/{id}", (HttpContext c, string id) => ServicePrincipalById(c, id));
            app.MapGet(root + "/servicePrincipals", (HttpContext c) => ServicePrincipalsByAppId(c));
            app.MapGet(root + "/servicePrincipals/{id}/synchronization/jobs", (HttpContext c, string id) => ListJobs(c, id));
            app.MapGet(root + "/servicePrincipals/{id}/synchronization/jobs/{jobId}", (HttpContext c, string id, string jobId) => GetJob(c, id, jobId));
            app.MapPost(root + "/servicePrincipals/{id}/synchronization/jobs/{jobId}/{operation}", (HttpContext c, string id, string jobId, string operation) => JobOperation(c, id, jobId, operation));
            app.MapGet(root + "/servicePrincipals/{id}/synchronization/jobs/{jobId}/schema", (HttpContext c, string id, string jobId) => GetSchema(c, id, jobId));
            app.MapPut(root + "/servicePrincipals/{id}/synchronization/jobs/{jobId}/schema", (HttpContext c, string id, string jobId) => PutSchema(c, id, jobId));
        }

        private async Task ServicePrincipalById(HttpContext c, string id)
        {
            if (await access.Authorize(c, "Application.Read.All", "Synchronization.Read.All", "Synchronization.ReadWrite.All").ConfigureAwait(false) is null)
            {
                return;
            }

            ServicePrincipal? sp;
            lock (state.Gate)
            {
                state.ServicePrincipals.TryGetValue(id, out sp);
            }

            if (sp is null)
            {
                await GraphError(c, 404, "Request_ResourceNotFound", $"Resource '{id}' does not exist or one of its queried reference-property objects are not present.").ConfigureAwait(false);
                return;
            }

            await Json(c, ToJson(sp)).ConfigureAwait(false);
        }

        private async Task ServicePrincipalsByAppId(HttpContext c)
        {
            if (await access.Authorize(c, "Application.Read.All").ConfigureAwait(false) is null)
            {
                return;
            }

            string filter = c.Request.Query["$filter"].ToString();
            System.Text.RegularExpressions.Match match = System.Text.RegularExpressions.Regex.Match(filter, @"^appId eq '([^']*)'$", System.Text.RegularExpressions.RegexOptions.IgnoreCase);
            if (!match.Success)
            {
                await GraphError(c, 400, "Request_UnsupportedQuery", "Only $filter=appId eq '<id>' is supported.").ConfigureAwait(false);
                return;
            }

            List<ServicePrincipal> found;
            lock (state.Gate)
            {
                found = state.ServicePrincipals.Values.Where(s => string.Equals(s.AppId, match.Groups[1].Value, StringComparison.OrdinalIgnoreCase)).ToList();
            }

            await Json(c, new JsonObject { ["value"] = new JsonArray(found.Select(s => (JsonNode)ToJson(s)).ToArray()) }).ConfigureAwait(false);
        }

        private async Task ListJobs(HttpContext c, string id)
        {
            if (await access.Authorize(c, "Synchronization.Read.All", "Synchronization.ReadWrite.All").ConfigureAwait(false) is null)
            {
                return;
            }

            List<EmulatedJob> jobs;
            lock (state.Gate)
            {
                if (!state.ServicePrincipals.ContainsKey(id))
                {
                    jobs = null!;
                }
                else
                {
                    jobs = state.Jobs.Values.Where(j => j.ServicePrincipalId == id).ToList();
                }
            }

            if (jobs is null)
            {
                await GraphError(c, 404, "Request_ResourceNotFound", $"Service principal '{id}' does not exist.").ConfigureAwait(false);
                return;
            }

            await Json(c, new JsonObject { ["value"] = new JsonArray(jobs.Select(j => (JsonNode)ToJson(j)).ToArray()) }).ConfigureAwait(false);
        }

        private async Task GetJob(HttpContext c, string id, string jobId)
        {
            if (await access.Authorize(c, "Synchronization.Read.All", "Synchronization.ReadWrite.All").ConfigureAwait(false) is null || await access.FindJob(c, id, jobId).ConfigureAwait(false) is not EmulatedJob job)
            {
                return;
            }

            JsonObject json;
            lock (state.Gate)
            {
                json = ToJson(job);
            }

            await Json(c, json).ConfigureAwait(false);
        }

        /// <summary>start, pause and restart; bulkUpload has its own route (<see cref="BulkUploadEndpoint"/>).</summary>
        private async Task JobOperation(HttpContext c, string id, string jobId, string operation)
        {
            if (await access.Authorize(c, "Synchronization.ReadWrite.All").ConfigureAwait(false) is null || await access.FindJob(c, id, jobId).ConfigureAwait(false) is not EmulatedJob job)
            {
                return;
            }

            lock (state.Gate)
            {
                switch (operation.ToUpperInvariant())
                {
                    case "START":
                        job.Status = "Active";
                        break;
                    case "PAUSE":
                        job.Status = "Paused";
                        break;
                    case "RESTART":
                        // As the service does: a restart while the job is not running purges data uploaded since.
                        job.Pending.Clear();
                        job.Status = "Active";
                        break;
                    default:
                        job = null!;
                        break;
                }
            }

            if (job is null)
            {
                await GraphError(c, 400, "BadRequest", $"Unknown job operation '{operation}'.").ConfigureAwait(false);
                return;
            }

            c.Response.StatusCode = 204;
        }


        private async Task GetSchema(HttpContext c, string id, string jobId)
        {
            if (await access.Authorize(c, "Synchronization.Read.All", "Synchronization.ReadWrite.All").ConfigureAwait(false) is null || await access.FindJob(c, id, jobId).ConfigureAwait(false) is not EmulatedJob job)
            {
                return;
            }

            JsonObject schema;
            lock (state.Gate)
            {
                schema = (JsonObject)job.Schema.DeepClone();
            }

            schema["@odata.context"] = $"https://graph.microsoft.com/v1.0/$metadata#servicePrincipals('{id}')/synchronization/jobs('{jobId}')/schema/$entity";
            await Json(c, schema).ConfigureAwait(false);
        }

        private async Task PutSchema(HttpContext c, string id, string jobId)
        {
            if (await access.Authorize(c, "Synchronization.ReadWrite.All").ConfigureAwait(false) is null || await access.FindJob(c, id, jobId).ConfigureAwait(false) is not EmulatedJob job)
            {
                return;
            }

            JsonNode? body;
            try
            {
                body = await JsonNode.ParseAsync(c.Request.Body).ConfigureAwait(false);
            }
            catch (JsonException ex)
            {
                await GraphError(c, 400, "BadRequest", $"The schema is not valid JSON: {ex.Message}").ConfigureAwait(false);
                return;
            }

            if (body is not JsonObject schema || schema["directories"] is not JsonArray || schema["synchronizationRules"] is not JsonArray)
            {
                await GraphError(c, 400, "BadRequest", "A synchronization schema needs 'directories' and 'synchronizationRules'.").ConfigureAwait(false);
                return;
            }

            lock (state.Gate)
            {
                // PUT replaces the whole document.
                job.Schema = schema;
            }

            c.Response.StatusCode = 204;
        }

        private static JsonObject ToJson(ServicePrincipal sp) => new JsonObject { ["id"] = sp.Id, ["appId"] = sp.AppId, ["displayName"] = sp.DisplayName };

        private static JsonObject ToJson(EmulatedJob job) => new JsonObject
        {
            ["id"] = job.Id,
            ["templateId"] = job.TemplateId,
            ["schedule"] = new JsonObject { ["interval"] = "PT40M", ["state"] = job.Status == "Paused" ? "Disabled" : "Active" },
            ["status"] = new JsonObject
            {
                ["code"] = job.Status,
                ["lastExecution"] = job.LastCycleBegan is null ? null : new JsonObject { ["state"] = "Succeeded", ["timeBegan"] = job.LastCycleBegan.Value.ToString("o", CultureInfo.InvariantCulture), ["timeEnded"] = job.LastCycleEnded?.ToString("o", CultureInfo.InvariantCulture) },
                ["lastSuccessfulExecution"] = job.LastCycleEnded is null ? null : new JsonObject { ["state"] = "Succeeded", ["timeBegan"] = job.LastCycleBegan?.ToString("o", CultureInfo.InvariantCulture), ["timeEnded"] = job.LastCycleEnded.Value.ToString("o", CultureInfo.InvariantCulture) },
                ["quarantine"] = job.Status == "Quarantine" ? new JsonObject { ["currentBegan"] = DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture), ["reason"] = "EncounteredQuarantineException" } : null,
            },
        };
    }
}
