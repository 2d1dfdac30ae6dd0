using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using static EntraInboundProvisioning.GraphEmulator.Endpoints.Responses;

namespace EntraInboundProvisioning.GraphEmulator.Endpoints
{
    /// <summary>
    /// GET /auditLogs/provisioning: the reports limit (5 reads per 10 seconds per app per tenant, 429 with Retry-After
    /// beyond), injected faults, the documented $filter (<see cref="LogFilter"/>), $top (up to the page limit),
    /// $orderby on activityDateTime and @odata.nextLink paging, served from the indexed <see cref="ProvisioningLog"/>.
    /// </summary>
    internal sealed class ProvisioningLogEndpoint(EmulatorState state, GraphAccess access)
    {
        /// <summary>Maps the endpoint under a Graph version (v1.0 or beta).</summary>
        public void Map(IEndpointRouteBuilder app, string version)
            => app.MapGet("/" + version + "/auditLogs/provisioning", (HttpContext c) => Logs(c, version));

        private async Task Logs(HttpContext c, string version)
        {
            if (await access.Authorize(c, "AuditLog.Read.All").ConfigureAwait(false) is not TokenClaims claims)
            {
                return;
            }

            // Microsoft Graph: identity and access reports allow 5 requests per 10 seconds per app per tenant.
            TimeSpan? throttled = null;
            string fault;
            lock (state.Gate)
            {
                DateTimeOffset now = DateTimeOffset.UtcNow;
                string app = claims.TenantId + "|" + claims.ClientId;
                if (!state.ReportsCalls.TryGetValue(app, out Queue<DateTimeOffset>? calls))
                {
                    calls = new Queue<DateTimeOffset>();
                    state.ReportsCalls.Add(app, calls);
                }

                while (calls.Count > 0 && now - calls.Peek() >= state.ReportsWindow)
                {
                    calls.Dequeue();
                }

                if (state.ReportsLimit > 0 && calls.Count >= state.ReportsLimit)
                {
                    throttled = calls.Peek() + state.ReportsWindow - now;
                    state.LogReadsThrottled++;
                    fault = "none";
                }
                else
                {
                    calls.Enqueue(now);
                    fault = state.DrawFault(state.LogFaults);
                    state.LogReadsFaulted += fault == "none" ? 0 : 1;
                }
            }

            if (throttled is TimeSpan wait)
            {
                await Throttled(c, wait, $"Too many requests: more than {state.ReportsLimit} requests in {state.ReportsWindow.TotalSeconds:0.###} seconds to the reports for this app in this tenant.").ConfigureAwait(false);
                return;
            }

            if (await FaultBeforeServing(c, fault).ConfigureAwait(false))
            {
                return;
            }

            IQueryCollection query = c.Request.Query;
            string filterText = query["$filter"].ToString();
            LogFilter filter;
            try
            {
                filter = LogFilter.Parse(filterText);
            }
            catch (FormatException ex)
            {
                await GraphError(c, 400, "BadRequest", ex.Message).ConfigureAwait(false);
                return;
            }

            string orderBy = query["$orderby"].ToString();
            string order = string.Join(' ', orderBy.Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToLowerInvariant();
            if (order is not ("" or "activitydatetime" or "activitydatetime asc" or "activitydatetime desc"))
            {
                await GraphError(c, 400, "BadRequest", $"Ordering by '{orderBy}' is not supported; order by activityDateTime.").ConfigureAwait(false);
                return;
            }

            // Newest first unless asked otherwise; OData's $orderby without a direction is ascending.
            bool ascending = order is "activitydatetime" or "activitydatetime asc";
            string topText = query["$top"].ToString();
            int top = int.TryParse(topText, NumberStyles.Integer, CultureInfo.InvariantCulture, out int t) ? Math.Clamp(t, 1, Math.Max(1, state.LogPageLimit)) : Math.Min(100, Math.Max(1, state.LogPageLimit));
            int? after = null;
            string token = query["$skiptoken"].ToString();
            if (token.Length > 0)
            {
                if (!int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out int position) || position < 0)
                {
                    await GraphError(c, 400, "BadRequest", "The $skiptoken is not valid.").ConfigureAwait(false);
                    return;
                }

                after = position;
            }

            var page = new List<byte[]>(Math.Min(top, 1024));
            int last = -1;
            bool more = false;
            lock (state.Gate)
            {
                IReadOnlyList<int> candidates = state.Log.Candidates(filter);
                int index = after is int from ? (ascending ? LowerBound(candidates, from + 1) : LowerBound(candidates, from) - 1) : (ascending ? 0 : candidates.Count - 1);
                for (; index >= 0 && index < candidates.Count; index += ascending ? 1 : -1)
                {
                    LogRecord record = state.Log[candidates[index]];
                    if (!filter.Matches(record))
                    {
                        continue;
                    }

                    if (page.Count == top)
                    {
                        more = true;
                        break;
                    }

                    page.Add(record.Json);
                    last = record.Position;
                }

                state.LogPagesServed++;
            }

            string host = c.Request.Host.Value ?? "127.0.0.1";
            var body = new MemoryStream();
            Write(body, $"{{\"@odata.context\":\"https://{host}/{version}/$metadata#auditLogs/provisioning\",\"value\":[");
            for (int i = 0; i < page.Count; i++)
            {
                if (i > 0)
                {
                    body.WriteByte((byte)',');
                }

                body.Write(page[i]);
            }

            body.WriteByte((byte)']');
            if (more)
            {
                string next = $"$filter={Uri.EscapeDataString(filterText)}&$top={top}&$skiptoken={last}" + (orderBy.Length > 0 ? $"&$orderby={Uri.EscapeDataString(orderBy)}" : string.Empty);
                Write(body, $",\"@odata.nextLink\":{System.Text.Json.JsonSerializer.Serialize($"https://{host}/{version}/auditLogs/provisioning?{next}")}");
            }

            body.WriteByte((byte)'}');
            c.Response.StatusCode = 200;
            c.Response.ContentType = "application/json";
            if (fault == "dropAfter")
            {
                // Half the page, then the connection drops: the client holds a body that is not JSON and must read again.
                c.Response.ContentLength = body.Length;
                await c.Response.Body.WriteAsync(body.GetBuffer().AsMemory(0, (int)(body.Length / 2))).ConfigureAwait(false);
                await c.Response.Body.FlushAsync().ConfigureAwait(false);
                c.Abort();
                return;
            }

            c.Response.ContentLength = body.Length;
            await c.Response.Body.WriteAsync(body.GetBuffer().AsMemory(0, (int)body.Length)).ConfigureAwait(false);
        }

        private static void Write(MemoryStream body, string text) => body.Write(Encoding.UTF8.GetBytes(text));

        /// <summary>The first index of an ascending list whose value is at least <paramref name="value"/>.</summary>
        private static int LowerBound(IReadOnlyList<int> positions, int value)
        {
            int low = 0, high = positions.Count;
            while (low < high)
            {
                int middle = (low + high) >>> 1;
                if (positions[middle] < value)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle;
                }
            }

            return low;
        }
    }
}
