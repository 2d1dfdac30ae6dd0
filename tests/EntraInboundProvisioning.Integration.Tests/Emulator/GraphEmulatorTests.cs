using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using EntraInboundProvisioning.GraphEmulator;
using Xunit;

namespace EntraInboundProvisioning.IntegrationTests.EmulatorRules
{
    /// <summary>The emulator's rules, over real HTTP: bulkUpload validation, throttling, quota, job states, the engine and log queries.</summary>
    public class GraphEmulatorTests
    {
        internal static string Bulk(params string[] externalIds) => Bulk(externalIds.Select(id => (id, (string?)$"{id.ToLowerInvariant()}@contoso.com", (bool?)true, (string?)null)).ToArray());

        /// <summary>A bulk request of core users; an Active of null leaves active out, which the service treats as false.</summary>
        internal static string Bulk(params (string Id, string? UserName, bool? Active, string? Title)[] users)
            => BulkOf(users.Select(u => ScimUser(u.Id, u.UserName, u.Active, u.Title)).ToArray());

        internal static JsonObject ScimUser(string id, string? userName, bool? active, string? title = null)
        {
            var data = new JsonObject { ["schemas"] = new JsonArray("urn:ietf:params:scim:schemas:core:2.0:User"), ["externalId"] = id };
            if (userName is not null) { data["userName"] = userName; }
            if (active is not null) { data["active"] = active; }
            if (title is not null) { data["title"] = title; }
            return data;
        }

        /// <summary>A BulkRequest with one POST /Users operation per user's data, in order.</summary>
        internal static string BulkOf(params JsonObject[] users)
        {
            var operations = new JsonArray(users.Select(data => (JsonNode)new JsonObject { ["method"] = "POST", ["bulkId"] = Guid.NewGuid().ToString(), ["path"] = "/Users", ["data"] = data }).ToArray());
            return new JsonObject { ["schemas"] = new JsonArray("urn:ietf:params:scim:api:messages:2.0:BulkRequest"), ["Operations"] = operations }.ToJsonString();
        }

        internal static async Task<HttpClient> ClientAsync(IntegrationTests.Emulator emulator, string? clientId = null, string? secret = null)
        {
            HttpClient http = emulator.HttpClient();
            string token = await TokenAsync(emulator, clientId ?? emulator.State.DefaultClientId, secret ?? emulator.State.DefaultClientSecret);
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return http;
        }

        private static async Task<string> TokenAsync(IntegrationTests.Emulator emulator, string clientId, string secret)
        {
            using HttpClient http = emulator.HttpClient();
            using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret, ["scope"] = "https://graph.microsoft.com/.default" });
            HttpResponseMessage response = await http.PostAsync($"{emulator.State.DefaultTenantId}/oauth2/v2.0/token", form);
            using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return json.RootElement.GetProperty("access_token").GetString()!;
        }

        private static string UploadPath(IntegrationTests.Emulator e) => $"v1.0/servicePrincipals/{e.State.DefaultServicePrincipalId}/synchronization/jobs/{e.State.DefaultJobId}/bulkUpload";

        internal static Task<HttpResponseMessage> Upload(HttpClient http, IntegrationTests.Emulator e, string body, string contentType = "application/scim+json")
            => http.PostAsync(UploadPath(e), new StringContent(body, Encoding.UTF8, contentType));

        private static async Task<string> ErrorMessage(HttpResponseMessage response)
        {
            using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return json.RootElement.GetProperty("error").GetProperty("code").GetString() + ": " + json.RootElement.GetProperty("error").GetProperty("message").GetString();
        }

        [Fact]
        public async Task AcceptsAValidBulkRequestWith202EmptyBodyAndLocation()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            using HttpClient http = await ClientAsync(emulator);
            http.DefaultRequestHeaders.Add("client-request-id", "abc-123");
            HttpResponseMessage response = await Upload(http, emulator, Bulk("1", "2"));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            Assert.Equal(string.Empty, await response.Content.ReadAsStringAsync());
            Assert.Contains($"jobid eq '{emulator.State.DefaultJobId}'", response.Headers.Location!.ToString());
            Assert.Equal("abc-123", response.Headers.GetValues("client-request-id").Single());
            Assert.NotEmpty(response.Headers.GetValues("request-id").Single());
            Assert.Equal(2, emulator.State.AcceptedOperations(emulator.State.DefaultJobId).Count);
        }

        public static IEnumerable<object[]> BadRequests()
        {
            yield return new object[] { "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"]}", "no 'Operations'" };
            yield return new object[] { "{\"schemas\":[\"urn:other\"],\"Operations\":[]}", "SCIM BulkRequest" };
            yield return new object[] { Bulk(Enumerable.Range(1, 51).Select(i => $"{i}").ToArray()), "1 to 50" };
            yield return new object[] { Bulk("1").Replace("\"POST\"", "\"PUT\"", StringComparison.Ordinal), "method must be POST" };
            yield return new object[] { Bulk("1").Replace("/Users", "/Groups", StringComparison.Ordinal), "path must be /Users" };
            yield return new object[] { Bulk("1").Replace("\"externalId\":\"1\"", "\"externalId\":\"\"", StringComparison.Ordinal), "externalId is required" };
            yield return new object[] { Bulk("1").Replace("urn:ietf:params:scim:schemas:core:2.0:User", "urn:x", StringComparison.Ordinal), "core:2.0:User" };
        }

        [Theory]
        [MemberData(nameof(BadRequests))]
        public async Task RefusesMalformedBulkRequestsWith400(string body, string expected)
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            using HttpClient http = await ClientAsync(emulator);
            HttpResponseMessage response = await Upload(http, emulator, body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains(expected, await ErrorMessage(response));
            Assert.Empty(emulator.State.AcceptedOperations(emulator.State.DefaultJobId));
        }

        [Fact]
        public async Task RequiresScimJsonContentTypeTokenAndUploadRole()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            using HttpClient http = await ClientAsync(emulator);
            HttpResponseMessage wrongType = await Upload(http, emulator, Bulk("1"), "application/json");
            Assert.Equal(HttpStatusCode.BadRequest, wrongType.StatusCode);
            Assert.Contains("Invalid Data Format", await ErrorMessage(wrongType));

            using HttpClient anonymous = emulator.HttpClient();
            Assert.Equal(HttpStatusCode.Unauthorized, (await Upload(anonymous, emulator, Bulk("1"))).StatusCode);

            emulator.State.RegisterApp(emulator.State.DefaultTenantId, "reader", "reader-secret", null, "AuditLog.Read.All");
            using HttpClient reader = await ClientAsync(emulator, "reader", "reader-secret");
            HttpResponseMessage forbidden = await Upload(reader, emulator, Bulk("1"));
            Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
            Assert.Contains("SynchronizationData-User.Upload", await ErrorMessage(forbidden));
        }

        [Fact]
        public async Task TheCallPastTheLimitInAWindowIs429WithRetryAfter()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync(new EmulatorOptions { ThrottleLimit = 40, ThrottleWindow = TimeSpan.FromSeconds(60) });
            using HttpClient http = await ClientAsync(emulator);
            for (int i = 0; i < 40; i++)
            {
                Assert.Equal(HttpStatusCode.Accepted, (await Upload(http, emulator, Bulk($"{i}"))).StatusCode);
            }

            HttpResponseMessage the41st = await Upload(http, emulator, Bulk("41"));
            Assert.Equal((HttpStatusCode)429, the41st.StatusCode);
            Assert.InRange(the41st.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
            Assert.Equal(40, emulator.State.BulkUploadCalls(emulator.State.DefaultJobId));
        }

        [Fact]
        public async Task TheDailyQuotaRefusesFurtherCalls()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync(new EmulatorOptions { DailyQuota = 3 });
            using HttpClient http = await ClientAsync(emulator);
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(HttpStatusCode.Accepted, (await Upload(http, emulator, Bulk($"{i}"))).StatusCode);
            }

            HttpResponseMessage refused = await Upload(http, emulator, Bulk("x"));
            Assert.Equal((HttpStatusCode)429, refused.StatusCode);
            Assert.Contains("daily quota", await ErrorMessage(refused));
        }

        [Fact]
        public async Task PausedJobsDoNotProcessAndRestartPurgesWhatWasUploaded()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            using HttpClient http = await ClientAsync(emulator);
            string job = $"v1.0/servicePrincipals/{emulator.State.DefaultServicePrincipalId}/synchronization/jobs/{emulator.State.DefaultJobId}";
            Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync(job + "/pause", null)).StatusCode);
            Assert.Equal("Paused", emulator.State.JobStatus(emulator.State.DefaultJobId));
            await Upload(http, emulator, Bulk("1"));
            Assert.Empty(emulator.State.RunCycle(emulator.State.DefaultJobId));
            Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync(job + "/start", null)).StatusCode);
            Assert.Single(emulator.State.RunCycle(emulator.State.DefaultJobId));

            await Upload(http, emulator, Bulk("2"));
            Assert.Equal(HttpStatusCode.NoContent, (await http.PostAsync(job + "/restart", null)).StatusCode);
            Assert.Empty(emulator.State.RunCycle(emulator.State.DefaultJobId));
            Assert.Null(emulator.State.FindUser("2"));
        }

        [Fact]
        public async Task TheEngineCreatesUpdatesSkipsDisablesAndFailsByRule()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            using HttpClient http = await ClientAsync(emulator);
            string job = emulator.State.DefaultJobId;
            await Upload(http, emulator, Bulk(("A", "a@contoso.com", true, "Chef"), ("B", "b@contoso.com", true, "Cook"), ("C", "not a upn", true, null)));
            var first = emulator.State.RunCycle(job);
            Assert.Equal(new[] { "create/success", "create/success", "create/failure" }, first.Select(Outcome));
            Assert.Equal("AzureActiveDirectoryInvalidUserPrincipalName", first[2]["provisioningStatusInfo"]!["errorInformation"]!["errorCode"]!.ToString());

            await Upload(http, emulator, Bulk(("A", "a@contoso.com", true, "Head chef"), ("B", "b@contoso.com", true, "Cook"), ("A2", "a2@contoso.com", false, null)));
            await Upload(http, emulator, Bulk(("B", "b@contoso.com", false, "Cook")));
            var second = emulator.State.RunCycle(job);
            Assert.Equal(new[] { "update/success", "other/skipped", "create/success", "disable/success" }, second.Select(Outcome));
            Assert.Equal("Head chef", second[0]["modifiedProperties"]![0]!["newValue"]!.ToString());
            Assert.False(emulator.State.FindUser("B")!.Enabled);
            Assert.False(emulator.State.FindUser("A2")!.Enabled);
            Assert.NotEqual(first[0]["cycleId"]!.ToString(), second[0]["cycleId"]!.ToString());
            Assert.Equal("A", second[0]["sourceIdentity"]!["id"]!.ToString());

            static string Outcome(JsonObject e) => $"{e["provisioningAction"]}/{e["provisioningStatusInfo"]!["status"]}";
        }

        [Fact]
        public async Task CustomAttributesOutsideTheSchemaAreSkippedWithAWarning()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            using HttpClient http = await ClientAsync(emulator);
            string body = Bulk("A").Replace("\"externalId\":\"A\"", "\"externalId\":\"A\",\"urn:ietf:params:scim:schemas:extension:contoso:1.0:User\":{\"HireDate\":\"2024-01-01\"}", StringComparison.Ordinal);
            await Upload(http, emulator, body);
            JsonObject entry = Assert.Single(emulator.State.RunCycle(emulator.State.DefaultJobId));
            Assert.Equal("warning", entry["provisioningStatusInfo"]!["status"]!.ToString());
            Assert.Contains("HireDate", entry["provisioningStatusInfo"]!["errorInformation"]!["reason"]!.ToString());
        }

        [Fact]
        public async Task LogQueriesFilterAndPage()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync(new EmulatorOptions { ReportsLimit = 0 });
            using HttpClient http = await ClientAsync(emulator);
            string job = emulator.State.DefaultJobId;
            await Upload(http, emulator, Bulk("1", "2", "3"));
            string firstCycle = emulator.State.RunCycle(job)[0]["cycleId"]!.ToString();
            await Upload(http, emulator, Bulk(("4", "bad upn", true, null), ("5", "e5@contoso.com", true, null)));
            emulator.State.RunCycle(job);

            async Task<(List<JsonObject> Entries, int Pages)> Query(string filter, int top = 100)
            {
                var entries = new List<JsonObject>();
                int pages = 0;
                string? url = $"v1.0/auditLogs/provisioning?$filter={Uri.EscapeDataString(filter)}&$top={top}&$orderby=activityDateTime%20desc";
                while (url is not null)
                {
                    pages++;
                    JsonObject page = JsonNode.Parse(await http.GetStringAsync(url))!.AsObject();
                    entries.AddRange(page["value"]!.AsArray().Select(v => v!.AsObject()));
                    url = page["@odata.nextLink"]?.ToString();
                }

                return (entries, pages);
            }

            var all = await Query($"jobId eq '{job}'", top: 2);
            Assert.Equal(5, all.Entries.Count);
            Assert.Equal(3, all.Pages);
            Assert.Equal(new[] { "5", "4", "3", "2", "1" }, all.Entries.Select(e => e["sourceIdentity"]!["id"]!.ToString()));
            Assert.Equal(3, (await Query($"jobId eq '{job}' and cycleId eq '{firstCycle}'")).Entries.Count);
            Assert.Equal("4", Assert.Single((await Query($"jobId eq '{job}' and provisioningStatusInfo/status eq 'failure'")).Entries)["sourceIdentity"]!["id"]!.ToString());
            Assert.Single((await Query($"jobId eq '{job}' and sourceIdentity/id eq '2'")).Entries);
            Assert.Equal(5, (await Query($"jobId eq '{job}' and provisioningAction eq 'create'")).Entries.Count);
            string third = all.Entries[2]["activityDateTime"]!.ToString();
            Assert.Equal(2, (await Query($"jobId eq '{job}' and activityDateTime gt {third}")).Entries.Count);
            Assert.Equal(2, (await Query($"jobId eq '{job}' and activityDateTime lt {third}")).Entries.Count);
            Assert.Equal("3", Assert.Single((await Query($"jobId eq '{job}' and activityDateTime eq {third}")).Entries)["sourceIdentity"]!["id"]!.ToString());
            Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("v1.0/auditLogs/provisioning?$filter=" + Uri.EscapeDataString("displayName eq 'x'"))).StatusCode);
        }

        [Fact]
        public async Task FaultsAreDeterministicUnderASeed()
        {
            async Task<string> Run()
            {
                await using var emulator = await IntegrationTests.Emulator.StartAsync(new EmulatorOptions { Seed = 7 });
                emulator.State.Faults = new FaultPlan { Throttle429 = 0.2, Error500 = 0.2, Error503 = 0.2 };
                using HttpClient http = await ClientAsync(emulator);
                var statuses = new List<int>();
                for (int i = 0; i < 20; i++)
                {
                    statuses.Add((int)(await Upload(http, emulator, Bulk($"{i}"))).StatusCode);
                }

                return string.Join(",", statuses);
            }

            string first = await Run();
            Assert.Equal(first, await Run());
            Assert.Contains("202", first);
            Assert.Contains("500", first);
        }
    }
}
