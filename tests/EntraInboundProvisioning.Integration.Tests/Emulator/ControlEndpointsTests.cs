using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using EntraInboundProvisioning.GraphEmulator;
using Xunit;
using static EntraInboundProvisioning.IntegrationTests.EmulatorRules.GraphEmulatorTests;

namespace EntraInboundProvisioning.IntegrationTests.EmulatorRules
{
    /// <summary>The control API (/_emulator) that Pester reads outcomes from, over real HTTP.</summary>
    public class ControlEndpointsTests
    {
        [Fact]
        public async Task TheDirectoryShowsEachUsersStateManagerAndAttributes()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            using HttpClient graph = await ClientAsync(emulator);
            JsonObject report = ScimUser("R", "r@contoso.com", false, "Cook");
            report["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"] = new JsonObject { ["manager"] = new JsonObject { ["value"] = "M" }, ["department"] = "Kitchen" };
            await Upload(graph, emulator, BulkOf(ScimUser("M", "m@contoso.com", true, "Chef"), report));
            using HttpClient control = emulator.HttpClient();
            JsonObject counts = JsonNode.Parse(await control.GetStringAsync($"_emulator/jobs/{emulator.State.DefaultJobId}/operations"))!["counts"]!.AsObject();
            Assert.Equal((1, 1), (counts["M"]!.GetValue<int>(), counts["R"]!.GetValue<int>()));
            Assert.Empty(JsonNode.Parse(await control.GetStringAsync("_emulator/directory"))!["value"]!.AsArray());

            Assert.Equal(2, JsonNode.Parse(await (await control.PostAsync($"_emulator/jobs/{emulator.State.DefaultJobId}/cycle", null)).Content.ReadAsStringAsync())!["entries"]!.GetValue<int>());
            JsonArray users = JsonNode.Parse(await control.GetStringAsync("_emulator/directory"))!["value"]!.AsArray();
            Assert.Equal(new[] { "M", "R" }, users.Select(u => u!["externalId"]!.ToString()));
            JsonObject r = JsonNode.Parse(await control.GetStringAsync("_emulator/directory/R"))!.AsObject();
            Assert.False(r["enabled"]!.GetValue<bool>());
            Assert.Equal("M", r["manager"]!.ToString());
            Assert.Equal("Cook", r["attributes"]!["title"]!.ToString());
            Assert.Equal("Kitchen", r["attributes"]!["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department"]!.ToString());
            Assert.Equal(emulator.State.FindUser("R")!.ObjectId, r["objectId"]!.ToString());
            Assert.True(users[0]!["enabled"]!.GetValue<bool>());
            Assert.Null(users[0]!["manager"]);

            HttpResponseMessage missing = await control.GetAsync("_emulator/directory/nobody");
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Contains("nobody", await missing.Content.ReadAsStringAsync());
        }

        [Fact]
        public async Task UsersIsASnapshotThatLaterCyclesDoNotChange()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            using HttpClient graph = await ClientAsync(emulator);
            await Upload(graph, emulator, Bulk(("A", "a@contoso.com", true, "Cook")));
            emulator.State.RunCycle(emulator.State.DefaultJobId);
            ProvisionedUser before = Assert.Single(emulator.State.Users);

            await Upload(graph, emulator, Bulk(("A", "a@contoso.com", false, "Chef")));
            emulator.State.RunCycle(emulator.State.DefaultJobId);
            Assert.True(before.Enabled);
            Assert.Equal("Cook", before.Attributes["title"]);
            ProvisionedUser after = Assert.Single(emulator.State.Users);
            Assert.False(after.Enabled);
            Assert.Equal("Chef", after.Attributes["title"]);
        }
    }
}
