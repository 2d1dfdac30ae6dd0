using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using EntraInboundProvisioning.Schema;
using Xunit;

namespace EntraInboundProvisioning.Tests.Schema
{
    public class SynchronizationSchemaDocumentTests
    {
        private const string Urn = "urn:ietf:params:scim:schemas:extension:contoso:1.0:User";
        private static readonly string Fixture = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "assets", "schema", "api-driven-schema.json"));

        [Fact]
        public void FindsTheApiSourceDirectoryByWhatItIsNotByPosition()
        {
            Assert.Equal("API", SynchronizationSchemaDocument.Parse(Fixture).ApiSourceDirectoryName());
            // Same document with the directories in the other order.
            using JsonDocument parsed = JsonDocument.Parse(Fixture);
            var reordered = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(Fixture)!;
            reordered["directories"] = JsonSerializer.SerializeToElement(parsed.RootElement.GetProperty("directories").EnumerateArray().Reverse().ToArray());
            Assert.Equal("API", SynchronizationSchemaDocument.Parse(JsonSerializer.Serialize(reordered)).ApiSourceDirectoryName());
        }

        [Fact]
        public void AddsOnlyMissingAttributesTypedAndChangesNothingElse()
        {
            SynchronizationSchemaDocument document = SynchronizationSchemaDocument.Parse(Fixture);
            IReadOnlyList<SchemaChange> changes = document.AddAttributes(new[]
            {
                new SchemaAttributeSpec($"{Urn}:HireDate", SchemaAttributeType.DateTime),
                new SchemaAttributeSpec($"{Urn}:jobcode"),
                new SchemaAttributeSpec($"{Urn}:Grade", SchemaAttributeType.Integer, flowNullValues: true),
            });
            Assert.Equal(new[] { SchemaChangeKind.AttributeAdded, SchemaChangeKind.AttributeExists, SchemaChangeKind.AttributeAdded }, changes.Select(c => c.Kind));
            Assert.Equal(5, document.AttributeNames("API").Count);

            using JsonDocument after = JsonDocument.Parse(document.ToJson());
            JsonElement hireDate = after.RootElement.GetProperty("directories")[1].GetProperty("objects")[0].GetProperty("attributes").EnumerateArray().Single(a => a.GetProperty("name").GetString() == $"{Urn}:HireDate");
            Assert.Equal("DateTime", hireDate.GetProperty("type").GetString());
            Assert.False(after.RootElement.TryGetProperty("@odata.context", out _));

            // Everything else is as it was.
            using JsonDocument before = JsonDocument.Parse(Fixture);
            Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(before.RootElement.GetProperty("synchronizationRules").GetRawText()), System.Text.Json.Nodes.JsonNode.Parse(after.RootElement.GetProperty("synchronizationRules").GetRawText())));
            Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(before.RootElement.GetProperty("directories")[0].GetRawText()), System.Text.Json.Nodes.JsonNode.Parse(after.RootElement.GetProperty("directories")[0].GetRawText())));
            Assert.Equal("kept as is", after.RootElement.GetProperty("synchronizationRules")[0].GetProperty("metadata")[0].GetProperty("value").GetString());
        }

        [Fact]
        public void AddsMappingsLeavesExistingOnesAloneUnlessForced()
        {
            SynchronizationSchemaDocument document = SynchronizationSchemaDocument.Parse(Fixture);
            document.AddAttributes(new[] { new SchemaAttributeSpec($"{Urn}:HireDate", SchemaAttributeType.DateTime) });
            var wanted = new Dictionary<string, string> { [$"{Urn}:HireDate"] = "employeeHireDate", [$"{Urn}:JobCode"] = "jobTitle" };
            IReadOnlyList<SchemaChange> changes = document.AddMappings(wanted);
            Assert.Equal(SchemaChangeKind.MappingAdded, changes[0].Kind);
            Assert.Equal(SchemaChangeKind.MappingExists, changes[1].Kind);
            Assert.Equal("[title]", changes[1].PreviousSource);

            IReadOnlyList<SchemaChange> forced = document.AddMappings(new Dictionary<string, string> { [$"{Urn}:JobCode"] = "jobTitle" }, force: true);
            Assert.Equal(SchemaChangeKind.MappingReplaced, Assert.Single(forced).Kind);

            using JsonDocument after = JsonDocument.Parse(document.ToJson());
            JsonElement[] mappings = after.RootElement.GetProperty("synchronizationRules")[0].GetProperty("objectMappings")[0].GetProperty("attributeMappings").EnumerateArray().ToArray();
            Assert.Equal(3, mappings.Length);
            JsonElement job = mappings.Single(m => m.GetProperty("targetAttributeName").GetString() == "jobTitle");
            Assert.Equal($"[{Urn}:JobCode]", job.GetProperty("source").GetProperty("expression").GetString());
            Assert.Equal("Attribute", job.GetProperty("source").GetProperty("type").GetString());
            Assert.Equal("Always", job.GetProperty("flowType").GetString());
        }

        [Fact]
        public void RefusesToMapAnAttributeTheSourceDoesNotHave()
        {
            SynchronizationSchemaDocument document = SynchronizationSchemaDocument.Parse(Fixture);
            var ex = Assert.Throws<SynchronizationSchemaException>(() => document.AddMappings(new Dictionary<string, string> { [$"{Urn}:Missing"] = "department" }));
            Assert.Contains("Add it first", ex.Message);
        }

        [Fact]
        public void DateTimeAttributesAreThoseTypedDateTimeOrMappedDirectlyToADateTimeTarget()
        {
            SynchronizationSchemaDocument document = SynchronizationSchemaDocument.Parse(Fixture);
            Assert.Empty(document.DateTimeAttributes());
            document.AddAttributes(new[]
            {
                new SchemaAttributeSpec($"{Urn}:ContractEnd", SchemaAttributeType.DateTime),
                new SchemaAttributeSpec($"{Urn}:HireDate"),
                new SchemaAttributeSpec($"{Urn}:Grade"),
            });
            document.AddMappings(new Dictionary<string, string> { [$"{Urn}:HireDate"] = "employeeHireDate", [$"{Urn}:Grade"] = "jobTitle" });
            Assert.Equal(new[] { $"{Urn}:ContractEnd", $"{Urn}:HireDate" }, document.DateTimeAttributes());
        }

        [Fact]
        public void DiffListsAddedRemovedAndChangedAttributesAndMappings()
        {
            SynchronizationSchemaDocument current = SynchronizationSchemaDocument.Parse(Fixture);
            SynchronizationSchemaDocument proposed = SynchronizationSchemaDocument.Parse(Fixture);
            proposed.AddAttributes(new[] { new SchemaAttributeSpec($"{Urn}:HireDate", SchemaAttributeType.DateTime) });
            proposed.AddMappings(new Dictionary<string, string> { [$"{Urn}:HireDate"] = "employeeHireDate", [$"{Urn}:JobCode"] = "jobTitle" }, force: true);
            IReadOnlyList<string> diff = proposed.Diff(current);
            Assert.Contains($"+ attribute API: User.{Urn}:HireDate (DateTime)", diff);
            Assert.Contains(diff, l => l.StartsWith("+ mapping API->Azure Active Directory User.employeeHireDate", StringComparison.Ordinal));
            Assert.Contains(diff, l => l.StartsWith("~ mapping API->Azure Active Directory User.jobTitle <- [title] (Always) -> [urn:", StringComparison.Ordinal));
            Assert.Empty(current.Diff(SynchronizationSchemaDocument.Parse(Fixture)));
        }

        [Theory]
        [InlineData("not json")]
        [InlineData("{\"directories\":[]}")]
        public void RefusesDocumentsThatAreNotSchemas(string json)
        {
            Assert.Throws<SynchronizationSchemaException>(() => SynchronizationSchemaDocument.Parse(json));
        }

        [Fact]
        public void AJobWithoutAnApiSourceIsRefusedClearly()
        {
            string json = "{\"synchronizationRules\":[{\"sourceDirectoryName\":\"Active Directory\",\"targetDirectoryName\":\"Azure Active Directory\"}],\"directories\":[]}";
            Assert.Contains("API-driven", Assert.Throws<SynchronizationSchemaException>(() => SynchronizationSchemaDocument.Parse(json).ApiSourceDirectoryName()).Message);
        }
    }
}
