using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using static EntraInboundProvisioning.GraphEmulator.Endpoints.Responses;

namespace EntraInboundProvisioning.GraphEmulator.Endpoints
{
    /// <summary>GET /auditLogs/provisioning: the $filter subset of <see cref="LogFilter"/>, $top, $orderby and @odata.nextLink paging.</summary>
    internal sealed class ProvisioningLogEndpoint(EmulatorState state, GraphAccess access)
    {
        /// <summary>Maps the endpoint under a Graph version (v1.0 or beta).</summary>
        public void Map(IEndpointRouteBuilder app, string version)
            => app.MapGet("/" + version + "/auditLogs/provisioning", (HttpContext c) => Logs(c, version));

        private async Task Logs(HttpContext c, string version)
        {
            if (await access.Authorize(c, "AuditLog.Read.All").ConfigureAwait(false) is null)
            {
                return;
            }

            string filter = c.Request.Query["$filter"].ToString();
            Func<JsonObject, bool> predicate;
            try
            {
                predicate = LogFilter.Parse(filter);
            }
            catch (FormatException ex)
            {
                await GraphError(c, 400, "BadRequest", ex.Message).ConfigureAwait(false);
                return;
            }

            int top = int.TryParse(c.Request.Query["$top"], NumberStyles.Integer, CultureInfo.InvariantCulture, out int t) ? Math.Clamp(t, 1, 1000) : 100;
            int skip = int.TryParse(c.Request.Query["$skiptoken"], NumberStyles.Integer, CultureInfo.InvariantCulture, out int s) ? s : 0;
            string orderBy = c.Request.Query["$orderby"].ToString();
            List<JsonObject> matching;
            lock (state.Gate)
            {
                matching = state.Logs.Where(predicate).ToList();
            }

            matching = string.Equals(orderBy, "activityDateTime asc", StringComparison.OrdinalIgnoreCase)
                ? matching.OrderBy(e => e["activityDateTime"]!.ToString(), StringComparer.Ordinal).ToList()
                : matching.OrderByDescending(e => e["activityDateTime"]!.ToString(), StringComparer.Ordinal).ToList();
            List<JsonObject> page = matching.Skip(skip).Take(top).ToList();
            var result = new JsonObject
            {
                ["@odata.context"] = $"https://{c.Request.Host.Value}/{version}/$metadata#auditLogs/provisioning",
                ["value"] = new JsonArray(page.Select(e => e.DeepClone()).ToArray()),
            };
            if (skip + top < matching.Count)
            {
                string query = $"$filter={Uri.EscapeDataString(filter)}&$top={top}&$skiptoken={skip + top}" + (orderBy.Length > 0 ? $"&$orderby={Uri.EscapeDataString(orderBy)}" : string.Empty);
                result["@odata.nextLink"] = $"https://{c.Request.Host.Value}/{version}/auditLogs/provisioning?{query}";
            }

            await Json(c, result).ConfigureAwait(false);
        }
    }
}
