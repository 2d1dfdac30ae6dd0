using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Graph;
using EntraInboundProvisioning.GraphEmulator;
using EntraInboundProvisioning.Schema;
using Xunit;
using static EntraInboundProvisioning.IntegrationTests.EmulatorRules.GraphEmulatorTests;

namespace EntraInboundProvisioning.IntegrationTests.EmulatorRules
{
    /// <summary>
    /// The service behaviours the engine reproduces so the module's tests meet the same traps, over real HTTP:
    /// an omitted active disables, a manager is set only once its record is there, DateTime values need a time and an offset.
    /// </summary>
    public class ProvisioningEngineTests
    {
        private const string Enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        private const string Contoso = "urn:ietf:params:scim:schemas:extension:contoso:1.0:User";

        private static JsonObject Worker(string id, bool? active = true, string? manager = null, string? title = null)
        {
            JsonObject data = ScimUser(id, $"{id.ToLowerInvariant()}@contoso.com", active, title);
            if (manager is not null)
            {
                data["schemas"]!.AsArray().Add(Enterprise);
                data[Enterprise] = new JsonObject { ["manager"] = new JsonObject { ["value"] = manager } };
            }

            return data;
        }

        private static string Outcome(JsonObject entry) => $"{entry["provisioningAction"]}/{entry["provisioningStatusInfo"]!["status"]}";

        private static JsonNode? Change(JsonObject entry, string property)
            => entry["modifiedProperties"]!.AsArray().SingleOrDefault(p => p!["displayName"]!.ToString() == property);

        private static JsonObject? ManagerSkip(JsonObject entry)
            => entry["provisioningSteps"]!.AsArray().OfType<JsonObject>().SingleOrDefault(s => s["details"]?["SkipReason"]?.ToString() == "UnableToResolveReferenceAttributeValue");

        private static async Task<JsonObject> Single(IntegrationTests.Emulator emulator, HttpClient http, JsonObject user)
        {
            Assert.Equal(HttpStatusCode.Accepted, (await Upload(http, emulator, BulkOf(user))).StatusCode);
            return Assert.Single(emulator.State.RunCycle(emulator.State.DefaultJobId));
        }

        [Fact]
        public async Task ARecordWithoutActiveDisablesAnEnabledUserAndANewUserStartsDisabled()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            using HttpClient http = await ClientAsync(emulator);
            await Upload(http, emulator, BulkOf(Worker("A"), Worker("N", active: null), Worker("X")));
            IReadOnlyList<JsonObject> first = emulator.State.RunCycle(emulator.State.DefaultJobId);
            Assert.Equal(new[] { "create/success", "create/success", "create/success" }, first.Select(Outcome));
            Assert.Equal("False", Change(first[1], "accountEnabled")!["newValue"]!.ToString());
            Assert.False(emulator.State.FindUser("N")!.Enabled);
            Assert.True(emulator.State.FindUser("A")!.Enabled);

            // A mover record that leaves active out (here with a new title) disables the account; so does active: null.
            JsonObject withNull = Worker("X");
            withNull["active"] = null;
            await Upload(http, emulator, BulkOf(Worker("A", active: null, title: "Lead"), withNull));
            IReadOnlyList<JsonObject> second = emulator.State.RunCycle(emulator.State.DefaultJobId);
            Assert.Equal(new[] { "disable/success", "disable/success" }, second.Select(Outcome));
            JsonNode accountEnabled = Change(second[0], "accountEnabled")!;
            Assert.Equal(("True", "False"), (accountEnabled["oldValue"]!.ToString(), accountEnabled["newValue"]!.ToString()));
            Assert.Equal("Lead", Change(second[0], "title")!["newValue"]!.ToString());
            Assert.False(emulator.State.FindUser("A")!.Enabled);
            Assert.False(emulator.State.FindUser("X")!.Enabled);
            Assert.Equal("Lead", emulator.State.FindUser("A")!.Attributes["title"]);
        }

        [Fact]
        public async Task ALaterRecordWithActiveTrueEnablesADisabledUserAgainAndAnUnchangedOneIsSkipped()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            using HttpClient http = await ClientAsync(emulator);
            Assert.Equal("create/success", Outcome(await Single(emulator, http, Worker("R", title: "Cook"))));
            Assert.Equal("disable/success", Outcome(await Single(emulator, http, Worker("R", active: false, title: "Cook"))));
            Assert.Equal("other/skipped", Outcome(await Single(emulator, http, Worker("R", active: false, title: "Cook"))));
            Assert.False(emulator.State.FindUser("R")!.Enabled);

            JsonObject enabled = await Single(emulator, http, Worker("R", title: "Cook"));
            Assert.Equal("update/success", Outcome(enabled));
            Assert.Equal("True", Change(enabled, "accountEnabled")!["newValue"]!.ToString());
            Assert.True(emulator.State.FindUser("R")!.Enabled);
            Assert.Equal("other/skipped", Outcome(await Single(emulator, http, Worker("R", title: "Cook"))));
        }

        [Fact]
        public async Task AManagerProcessedFirstIsSetOnItsReportInTheSameCycleAndAMoveChangesIt()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            using HttpClient http = await ClientAsync(emulator);
            await Upload(http, emulator, BulkOf(Worker("M1"), Worker("M2"), Worker("R", manager: "M1")));
            JsonObject report = emulator.State.RunCycle(emulator.State.DefaultJobId)[2];
            Assert.Equal("create/success", Outcome(report));
            Assert.Null(ManagerSkip(report));
            Assert.Equal(emulator.State.FindUser("M1")!.ObjectId, Change(report, "manager")!["newValue"]!.ToString());
            Assert.Equal("M1", emulator.State.FindUser("R")!.ManagerExternalId);

            // A mover: the manager from an earlier cycle is replaced.
            JsonObject moved = await Single(emulator, http, Worker("R", manager: "M2"));
            Assert.Equal("update/success", Outcome(moved));
            Assert.Equal(emulator.State.FindUser("M1")!.ObjectId, Change(moved, "manager")!["oldValue"]!.ToString());
            Assert.Equal("M2", emulator.State.FindUser("R")!.ManagerExternalId);
            Assert.Equal("other/skipped", Outcome(await Single(emulator, http, Worker("R", manager: "M2"))));
        }

        [Fact]
        public async Task AReportProcessedBeforeItsManagerGetsNoManagerSaysSoAndGetsItWhenSentAgain()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            using HttpClient http = await ClientAsync(emulator);
            string job = emulator.State.DefaultJobId;

            // Two uploads into one cycle: the report was accepted first, so it is processed before its manager exists.
            await Upload(http, emulator, BulkOf(Worker("R", manager: "M")));
            await Upload(http, emulator, BulkOf(Worker("M")));
            IReadOnlyList<JsonObject> first = emulator.State.RunCycle(job);
            Assert.Equal(new[] { "R", "M" }, first.Select(e => e["sourceIdentity"]!["id"]!.ToString()));
            Assert.Equal("create/success", Outcome(first[0]));
            JsonObject skip = ManagerSkip(first[0])!;
            Assert.NotNull(skip);
            Assert.Equal("manager", skip["details"]!["PropertyName"]!.ToString());
            Assert.Equal("manager Add", skip["details"]!["M"]!.ToString());
            Assert.Contains("'M'", skip["description"]!.ToString());
            Assert.Null(Change(first[0], "manager"));
            Assert.Null(emulator.State.FindUser("R")!.ManagerExternalId);
            Assert.NotNull(emulator.State.FindUser("M"));

            // The same record in a later cycle finds the manager.
            JsonObject again = await Single(emulator, http, Worker("R", manager: "M"));
            Assert.Equal("update/success", Outcome(again));
            Assert.Null(ManagerSkip(again));
            Assert.Equal(emulator.State.FindUser("M")!.ObjectId, Change(again, "manager")!["newValue"]!.ToString());
            Assert.Equal("M", emulator.State.FindUser("R")!.ManagerExternalId);
        }

        [Fact]
        public async Task AManagerThatNeverArrivesLeavesTheEarlierManagerInPlace()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            using HttpClient http = await ClientAsync(emulator);
            await Upload(http, emulator, BulkOf(Worker("M"), Worker("R", manager: "M")));
            emulator.State.RunCycle(emulator.State.DefaultJobId);

            JsonObject entry = await Single(emulator, http, Worker("R", manager: "GONE"));
            Assert.Equal("other/skipped", Outcome(entry));
            Assert.Equal("manager Update", ManagerSkip(entry)!["details"]!["GONE"]!.ToString());
            Assert.Equal("M", emulator.State.FindUser("R")!.ManagerExternalId);
        }

        /// <summary>Adds HireDate (a String, mapped to Entra's employeeHireDate, a DateTime) and ContractEnd (typed DateTime) to the job.</summary>
        private static async Task AddDateAttributesAsync(IntegrationTests.Emulator emulator)
        {
            ProvisioningApi api = emulator.SecretSession();
            string sp = emulator.State.DefaultServicePrincipalId, job = emulator.State.DefaultJobId;
            string original = await api.GetSchemaAsync(sp, job, CancellationToken.None);
            SynchronizationSchemaDocument document = SynchronizationSchemaDocument.Parse(original);
            document.AddAttributes(new[] { new SchemaAttributeSpec($"{Contoso}:HireDate"), new SchemaAttributeSpec($"{Contoso}:ContractEnd", SchemaAttributeType.DateTime) });
            document.AddMappings(new Dictionary<string, string> { [$"{Contoso}:HireDate"] = "employeeHireDate" });
            await api.PutSchemaIfUnchangedAsync(sp, job, original, document.ToJson(), CancellationToken.None);
        }

        private static JsonObject WithContoso(JsonObject user, string attribute, string value)
        {
            user["schemas"]!.AsArray().Add(Contoso);
            user[Contoso] = new JsonObject { [attribute] = value };
            return user;
        }

        [Theory]
        [InlineData("2024-03-01T00:00:00Z", true)]
        [InlineData("2021-05-01T00:00:00-05:00", true)]
        [InlineData("2024-03-01T08:30:00.125+01:00", true)]
        [InlineData("2024-03-01", false)]
        [InlineData("03/01/2024", false)]
        [InlineData("1 Mar 2024", false)]
        [InlineData("2024-03-01T00:00:00", false)]
        [InlineData("2024-02-30T00:00:00Z", false)]
        public async Task AValueMappedToADateTimeNeedsATimeAndAnOffset(string hireDate, bool valid)
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            await AddDateAttributesAsync(emulator);
            using HttpClient http = await ClientAsync(emulator);
            JsonObject entry = await Single(emulator, http, WithContoso(Worker("D"), "HireDate", hireDate));
            if (valid)
            {
                Assert.Equal("create/success", Outcome(entry));
                Assert.Equal(hireDate, emulator.State.FindUser("D")!.Attributes[$"{Contoso}:HireDate"]);
                return;
            }

            Assert.Equal("create/failure", Outcome(entry));
            JsonNode error = entry["provisioningStatusInfo"]!["errorInformation"]!;
            Assert.Equal("InvalidDateTimeFormat", error["errorCode"]!.ToString());
            Assert.Contains($"'{hireDate}' of '{Contoso}:HireDate' (mapped to employeeHireDate)", error["reason"]!.ToString());
            Assert.Null(emulator.State.FindUser("D"));
        }

        [Fact]
        public async Task AnAttributeTypedDateTimeIsCheckedTooAndABadValueLeavesAnExistingUserAsItWas()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            await AddDateAttributesAsync(emulator);
            using HttpClient http = await ClientAsync(emulator);
            Assert.Equal("create/success", Outcome(await Single(emulator, http, WithContoso(Worker("E", title: "Cook"), "ContractEnd", "2024-12-31T23:59:59+01:00"))));

            JsonObject entry = await Single(emulator, http, WithContoso(Worker("E", title: "Chef"), "ContractEnd", "2025-12-31"));
            Assert.Equal("update/failure", Outcome(entry));
            Assert.Contains($"'2025-12-31' of '{Contoso}:ContractEnd'", entry["provisioningStatusInfo"]!["errorInformation"]!["reason"]!.ToString());
            ProvisionedUser user = emulator.State.FindUser("E")!;
            Assert.Equal("Cook", user.Attributes["title"]);
            Assert.Equal("2024-12-31T23:59:59+01:00", user.Attributes[$"{Contoso}:ContractEnd"]);
        }
    }
}
