using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Graph;
using EntraInboundProvisioning.Schema;
using Xunit;

namespace EntraInboundProvisioning.IntegrationTests.Schema
{
    /// <summary>Schema round trips against the emulator's default API-driven schema.</summary>
    public class SchemaApiTests
    {
        private const string Urn = "urn:ietf:params:scim:schemas:extension:contoso:1.0:User";

        [Fact]
        public async Task AddsAttributesAndMappingsToTheDefaultSchemaAndReadsThemBack()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            ProvisioningApi api = emulator.SecretSession();
            string sp = emulator.State.DefaultServicePrincipalId, job = emulator.State.DefaultJobId;
            string original = await api.GetSchemaAsync(sp, job, CancellationToken.None);
            SynchronizationSchemaDocument document = SynchronizationSchemaDocument.Parse(original);
            Assert.Equal("API", document.ApiSourceDirectoryName());
            document.AddAttributes(new[] { new SchemaAttributeSpec($"{Urn}:HireDate", SchemaAttributeType.DateTime) });
            document.AddMappings(new Dictionary<string, string> { [$"{Urn}:HireDate"] = "employeeHireDate" });
            await api.PutSchemaIfUnchangedAsync(sp, job, original, document.ToJson(), CancellationToken.None);

            SynchronizationSchemaDocument after = SynchronizationSchemaDocument.Parse(await api.GetSchemaAsync(sp, job, CancellationToken.None));
            Assert.Contains($"{Urn}:HireDate", after.AttributeNames("API"));
            Assert.Empty(after.Diff(document));
        }

        [Fact]
        public async Task RefusesToWriteWhenTheSchemaChangedSinceItWasRead()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            ProvisioningApi api = emulator.SecretSession();
            string sp = emulator.State.DefaultServicePrincipalId, job = emulator.State.DefaultJobId;
            string original = await api.GetSchemaAsync(sp, job, CancellationToken.None);
            SynchronizationSchemaDocument mine = SynchronizationSchemaDocument.Parse(original);
            mine.AddAttributes(new[] { new SchemaAttributeSpec($"{Urn}:Mine") });

            // Someone else changes the schema in the meantime.
            SynchronizationSchemaDocument theirs = SynchronizationSchemaDocument.Parse(original);
            theirs.AddAttributes(new[] { new SchemaAttributeSpec($"{Urn}:Theirs") });
            await api.PutSchemaAsync(sp, job, theirs.ToJson(), CancellationToken.None);

            await Assert.ThrowsAsync<SchemaChangedException>(() => api.PutSchemaIfUnchangedAsync(sp, job, original, mine.ToJson(), CancellationToken.None));
            IReadOnlyList<string> names = SynchronizationSchemaDocument.Parse(await api.GetSchemaAsync(sp, job, CancellationToken.None)).AttributeNames("API");
            Assert.Contains($"{Urn}:Theirs", names);
            Assert.DoesNotContain($"{Urn}:Mine", names);
        }

        [Fact]
        public async Task AttributesAddedToTheSchemaAreProvisionedInsteadOfSkipped()
        {
            await using var emulator = await IntegrationTests.Emulator.StartAsync();
            ProvisioningApi api = emulator.SecretSession();
            string sp = emulator.State.DefaultServicePrincipalId, job = emulator.State.DefaultJobId;
            string original = await api.GetSchemaAsync(sp, job, CancellationToken.None);
            SynchronizationSchemaDocument document = SynchronizationSchemaDocument.Parse(original);
            document.AddAttributes(new[] { new SchemaAttributeSpec($"{Urn}:HireDate", SchemaAttributeType.DateTime) });
            await api.PutSchemaIfUnchangedAsync(sp, job, original, document.ToJson(), CancellationToken.None);
            string body = EmulatorRules.GraphEmulatorTests.Bulk("A").Replace("\"externalId\":\"A\"", $"\"externalId\":\"A\",\"{Urn}\":{{\"HireDate\":\"2024-01-01T00:00:00Z\"}}", System.StringComparison.Ordinal);
            await api.BulkUploadAsync(sp, job, body, "cid", CancellationToken.None);
            JsonObject entry = Assert.Single(emulator.State.RunCycle(job));
            Assert.Equal("success", entry["provisioningStatusInfo"]!["status"]!.ToString());
            Assert.Contains(entry["modifiedProperties"]!.AsArray(), p => p!["displayName"]!.ToString() == $"{Urn}:HireDate");
        }
    }
}
