using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using static EntraInboundProvisioning.GraphEmulator.Endpoints.Responses;

namespace EntraInboundProvisioning.GraphEmulator.Endpoints
{
    /// <summary>
    /// The control API under /_emulator, for tests (loopback and no auth, like the whole emulator): register apps
    /// and service principals, steer faults, latency and token lifetime, approve device codes, run a cycle, read
    /// what a job received and what the directory holds.
    /// </summary>
    internal sealed class ControlEndpoints(EmulatorState state)
    {
        public void Map(IEndpointRouteBuilder app)
        {
            app.MapPost("/_emulator/jobs/{jobId}/cycle", (HttpContext c, string jobId) => Json(c, new JsonObject { ["entries"] = state.RunCycle(jobId).Count }));
            app.MapGet("/_emulator/jobs/{jobId}/operations", (HttpContext c, string jobId) => Json(c, new JsonObject { ["counts"] = new JsonObject(state.AcceptedCountByExternalId(jobId).Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value))) }));
            app.MapPost("/_emulator/devicecode/approve", async (HttpContext c) =>
            {
                JsonObject body = (await JsonNode.ParseAsync(c.Request.Body).ConfigureAwait(false))!.AsObject();
                state.ApproveDeviceCode(body["userCode"]!.GetValue<string>());
                c.Response.StatusCode = 204;
            });
            app.MapPost("/_emulator/apps", async (HttpContext c) =>
            {
                JsonObject body = (await JsonNode.ParseAsync(c.Request.Body).ConfigureAwait(false))!.AsObject();
                string[] roles = body["roles"] is JsonArray r ? r.Select(x => x!.ToString()).ToArray() : EmulatorState.AllRoles;
                state.RegisterApp(body["tenantId"]?.ToString() ?? state.DefaultTenantId, body["clientId"]!.ToString(), body["secret"]?.ToString(), null, roles);
                c.Response.StatusCode = 204;
            });
            app.MapPost("/_emulator/servicePrincipals", async (HttpContext c) =>
            {
                JsonObject body = (await JsonNode.ParseAsync(c.Request.Body).ConfigureAwait(false))!.AsObject();
                ServicePrincipal sp = state.AddServicePrincipal(body["displayName"]?.ToString() ?? "Another API-driven app");
                EmulatedJob job = state.AddJob(sp.Id);
                await Json(c, new JsonObject { ["id"] = sp.Id, ["appId"] = sp.AppId, ["jobId"] = job.Id }).ConfigureAwait(false);
            });
            app.MapGet("/_emulator/directory", (HttpContext c) => Json(c, new JsonObject { ["value"] = new JsonArray(state.Users.Select(u => (JsonNode)u.ToJson()).ToArray()) }));
            app.MapGet("/_emulator/directory/{externalId}", (HttpContext c, string externalId) => state.FindUser(externalId) is ProvisionedUser user
                ? Json(c, user.ToJson())
                : GraphError(c, 404, "Request_ResourceNotFound", $"No user with externalId '{externalId}' is in the directory."));
            app.MapGet("/_emulator/jobs/{jobId}/calls", (HttpContext c, string jobId) => Json(c, new JsonObject { ["bulkUploadCalls"] = state.BulkUploadCalls(jobId), ["status"] = state.JobStatus(jobId) }));
            app.MapPost("/_emulator/faults", async (HttpContext c) =>
            {
                state.Faults = (await JsonSerializer.DeserializeAsync<FaultPlan>(c.Request.Body).ConfigureAwait(false)) ?? new FaultPlan();
                c.Response.StatusCode = 204;
            });
            app.MapPost("/_emulator/logFaults", async (HttpContext c) =>
            {
                state.LogFaults = (await JsonSerializer.DeserializeAsync<FaultPlan>(c.Request.Body).ConfigureAwait(false)) ?? new FaultPlan();
                c.Response.StatusCode = 204;
            });
            app.MapPost("/_emulator/reports", async (HttpContext c) =>
            {
                JsonObject body = (await JsonNode.ParseAsync(c.Request.Body).ConfigureAwait(false))!.AsObject();
                lock (state.Gate)
                {
                    state.ReportsLimit = body["limit"]?.GetValue<int>() ?? state.ReportsLimit;
                    state.ReportsWindow = body["windowMilliseconds"] is JsonNode window ? TimeSpan.FromMilliseconds(window.GetValue<double>()) : state.ReportsWindow;
                    state.LogPageLimit = body["pageLimit"]?.GetValue<int>() ?? state.LogPageLimit;
                    state.ReportsCalls.Clear();
                }

                c.Response.StatusCode = 204;
            });
            app.MapGet("/_emulator/reports", (HttpContext c) =>
            {
                JsonObject counts;
                lock (state.Gate)
                {
                    counts = new JsonObject
                    {
                        ["limit"] = state.ReportsLimit,
                        ["windowMilliseconds"] = state.ReportsWindow.TotalMilliseconds,
                        ["pageLimit"] = state.LogPageLimit,
                        ["pagesServed"] = state.LogPagesServed,
                        ["throttled"] = state.LogReadsThrottled,
                        ["faulted"] = state.LogReadsFaulted,
                        ["entries"] = state.Log.Count,
                    };
                }

                return Json(c, counts);
            });
            app.MapPost("/_emulator/latency", async (HttpContext c) =>
            {
                JsonObject body = (await JsonNode.ParseAsync(c.Request.Body).ConfigureAwait(false))!.AsObject();
                state.Latency = TimeSpan.FromMilliseconds(body["milliseconds"]!.GetValue<double>());
                c.Response.StatusCode = 204;
            });
            app.MapPost("/_emulator/tokenLifetime", async (HttpContext c) =>
            {
                JsonObject body = (await JsonNode.ParseAsync(c.Request.Body).ConfigureAwait(false))!.AsObject();
                state.TokenLifetime = TimeSpan.FromSeconds(body["seconds"]!.GetValue<double>());
                c.Response.StatusCode = 204;
            });
        }
    }
}
