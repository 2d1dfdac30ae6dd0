using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using EntraInboundProvisioning.GraphEmulator;
using Xunit;
using static EntraInboundProvisioning.IntegrationTests.EmulatorRules.GraphEmulatorTests;

namespace EntraInboundProvisioning.IntegrationTests.EmulatorRules
{
    /// <summary>
    /// The emulator's provisioning logs tell the truth: the reports limit (429 with Retry-After), faults on reads, only the
    /// documented filter operators, 'or' groups, both orders, and pages served from an index over a large cycle.
    /// </summary>
    public class ProvisioningLogEndpointTests
    {
        /// <summary>Accepts <paramref name="count"/> records in requests of 50 without HTTP, then runs one cycle.</summary>
        internal static string Cycle(IntegrationTests.Emulator emulator, int count, string prefix = "R", Func<int, string>? upn = null)
        {
            for (int start = 0; start < count; start += 50)
            {
                var users = Enumerable.Range(start, Math.Min(50, count - start)).Select(i => ScimUser($"{prefix}{i}", upn?.Invoke(i) ?? $"{prefix.ToLowerInvariant()}{i}@contoso.com", true)).ToArray();
                emulator.State.AcceptBulkRequest(emulator.State.DefaultJobId, BulkOf(users));
            }

            return emulator.State.RunCycle(emulator.State.DefaultJobId)[0]["cycleId"]!.ToString();
        }

        private static string Url(string filter, int top = 1000, string order = "activityDateTime desc")
            => $"v1.0/auditLogs/provisioning?$filter={Uri.EscapeDataString(filter)}&$top={top}&$orderby={Uri.EscapeDataString(order)}";

        private static async Task<(List<JsonObject> Entries, int Pages)> ReadAll(HttpClient http, string url)
        {
            var entries = new List<JsonObject>();
            int pages = 0;
            string? next = url;
            while (next is not null)
            {
                pages++;
                HttpResponseMessage response = await http.GetAsync(next);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                JsonObject page = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
                entries.AddRange(page["value"]!.AsArray().Select(v => v!.AsObject()));
                next = page["@odata.nextLink"]?.ToString();
            }

            return (entries, pages);
        }

        [Fact]
        public async Task TheReportsLimitAnswers429WithRetryAfterPerAppAndTenant()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync(new EmulatorOptions { ReportsWindow = TimeSpan.FromSeconds(3) });
            Assert.Equal(5, emulator.State.ReportsLimit);
            using HttpClient http = await ClientAsync(emulator);
            string url = Url($"jobId eq '{emulator.State.DefaultJobId}'");
            for (int i = 0; i < 5; i++)
            {
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url)).StatusCode);
            }

            HttpResponseMessage throttled = await http.GetAsync(url);
            Assert.Equal((HttpStatusCode)429, throttled.StatusCode);
            TimeSpan retryAfter = throttled.Headers.RetryAfter!.Delta!.Value;
            Assert.InRange(retryAfter.TotalSeconds, 1, 3);
            Assert.Equal(1, emulator.State.LogReadsThrottled);

            // Another app of the tenant has a limit of its own; the first app reads again once Retry-After passed.
            string other = Guid.NewGuid().ToString();
            emulator.State.RegisterApp(emulator.State.DefaultTenantId, other, "other-secret", null, EmulatorState.AllRoles);
            using HttpClient second = await ClientAsync(emulator, other, "other-secret");
            Assert.Equal(HttpStatusCode.OK, (await second.GetAsync(url)).StatusCode);
            await Task.Delay(retryAfter + TimeSpan.FromMilliseconds(100));
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(url)).StatusCode);

            // bulkUpload has its own limit: reading the logs does not use it up, nor the other way round.
            Assert.Equal(HttpStatusCode.Accepted, (await Upload(http, emulator, Bulk("U1"))).StatusCode);
        }

        [Fact]
        public async Task LogReadsFailAsConfiguredAndADropAfterTheAnswerBeganCutsTheBody()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync(new EmulatorOptions { ReportsLimit = 0, Seed = 11 });
            Cycle(emulator, 20);
            using HttpClient http = await ClientAsync(emulator);
            string url = Url($"jobId eq '{emulator.State.DefaultJobId}'");

            emulator.State.LogFaults = new FaultPlan { DropAfterAccept = 1 };
            HttpRequestException cut = await Assert.ThrowsAsync<HttpRequestException>(() => http.GetStringAsync(url));
            Assert.NotNull(cut);

            emulator.State.LogFaults = new FaultPlan { Throttle429 = 0.25, Error503 = 0.25, DropBeforeAccept = 0.25 };
            var outcomes = new Dictionary<string, int>();
            for (int i = 0; i < 60; i++)
            {
                string outcome;
                try
                {
                    HttpResponseMessage response = await http.GetAsync(url);
                    outcome = ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    if (response.StatusCode == (HttpStatusCode)429)
                    {
                        Assert.Equal(TimeSpan.FromSeconds(1), response.Headers.RetryAfter!.Delta);
                    }
                }
                catch (HttpRequestException)
                {
                    outcome = "dropped";
                }

                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
            }

            Assert.Equal(new[] { "200", "429", "503", "dropped" }, outcomes.Keys.OrderBy(k => k));
            Assert.Equal(60 - outcomes["200"] + 1, emulator.State.LogReadsFaulted);
        }

        [Fact]
        public async Task OnlyTheDocumentedOperatorsAreAccepted()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync(new EmulatorOptions { ReportsLimit = 0 });
            using HttpClient http = await ClientAsync(emulator);
            string job = $"jobId eq '{emulator.State.DefaultJobId}'";
            const string at = "2026-11-22T10:00:00.000Z";
            foreach (string refused in new[] { $"{job} and activityDateTime ge {at}", $"{job} and activityDateTime le {at}", $"{job} and activityDateTime ne {at}", $"jobId ne 'x'", $"{job} and cycleId gt 'a'", "displayName eq 'x'", $"contains(cycleId, 'a')", $"{job} and (cycleId eq 'a'" })
            {
                HttpResponseMessage response = await http.GetAsync(Url(refused));
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{refused}: {response.StatusCode}");
            }

            Assert.Contains("use eq, gt or lt", await (await http.GetAsync(Url($"{job} and activityDateTime ge {at}"))).Content.ReadAsStringAsync());
            foreach (string accepted in new[] { $"{job} and activityDateTime gt {at}", $"{job} and activityDateTime lt {at}", $"{job} and activityDateTime eq {at}", $"{job} and (sourceIdentity/id eq 'a' or sourceIdentity/id eq 'b')", "provisioningStatusInfo/status eq 'failure'" })
            {
                Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(Url(accepted))).StatusCode);
            }
        }

        [Fact]
        public async Task OrGroupsOrdersAndPagesReturnEachEntryOnce()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync(new EmulatorOptions { ReportsLimit = 0, LogPageLimit = 700 });
            string first = Cycle(emulator, 3000, upn: i => i % 10 == 3 ? "not a upn" : $"r{i}@contoso.com");
            Cycle(emulator, 500, prefix: "S");
            using HttpClient http = await ClientAsync(emulator);
            string job = $"jobId eq '{emulator.State.DefaultJobId}'";

            // $top beyond the page limit gets the limit's pages, each entry once, newest first.
            (List<JsonObject> all, int pages) = await ReadAll(http, Url(job, top: 1000));
            Assert.Equal(3500, all.Count);
            Assert.Equal(5, pages);
            Assert.Equal(3500, all.Select(e => e["id"]!.ToString()).Distinct().Count());
            List<string> times = all.Select(e => e["activityDateTime"]!.ToString()).ToList();
            Assert.Equal(times.OrderByDescending(t => t, StringComparer.Ordinal), times);

            // Oldest first, from a time on: the second half of the first cycle and the whole second one.
            string middle = times[times.Count - 1500];
            (List<JsonObject> newer, _) = await ReadAll(http, Url($"{job} and activityDateTime gt {middle}", order: "activityDateTime asc"));
            Assert.Equal(2000, newer.Count);
            Assert.Equal(newer.Select(e => e["activityDateTime"]!.ToString()).OrderBy(t => t, StringComparer.Ordinal), newer.Select(e => e["activityDateTime"]!.ToString()));

            // Records by 'or' group, within a cycle and a status.
            string group = "(" + string.Join(" or ", new[] { "R3", "R13", "R14", "S7", "NOBODY" }.Select(id => $"sourceIdentity/id eq '{id}'")) + ")";
            (List<JsonObject> some, int onePage) = await ReadAll(http, Url($"{job} and {group}"));
            Assert.Equal(new[] { "R13", "R14", "R3", "S7" }, some.Select(e => e["sourceIdentity"]!["id"]!.ToString()).OrderBy(x => x, StringComparer.Ordinal));
            Assert.Equal(1, onePage);
            (List<JsonObject> failed, _) = await ReadAll(http, Url($"{job} and cycleId eq '{first}' and {group} and provisioningStatusInfo/status eq 'failure'", top: 1));
            Assert.Equal(new[] { "R13", "R3" }, failed.Select(e => e["sourceIdentity"]!["id"]!.ToString()).OrderBy(x => x, StringComparer.Ordinal));
            (List<JsonObject> failures, _) = await ReadAll(http, Url($"{job} and provisioningStatusInfo/status eq 'failure'"));
            Assert.Equal(300, failures.Count);
        }

        [Fact]
        public async Task AnUnknownSkipTokenOrOrderIsRefused()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync(new EmulatorOptions { ReportsLimit = 0 });
            using HttpClient http = await ClientAsync(emulator);
            Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync(Url($"jobId eq '{emulator.State.DefaultJobId}'") + "&$skiptoken=abc")).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync(Url($"jobId eq '{emulator.State.DefaultJobId}'", order: "cycleId desc"))).StatusCode);
        }
    }
}
