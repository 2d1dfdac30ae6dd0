using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Scim;
using EntraInboundProvisioning.Sources;
using Xunit;

namespace EntraInboundProvisioning.Tests.Scim
{
    public class BulkRequestConverterTests
    {
        private static readonly string Anchors = Path.Combine(AppContext.BaseDirectory, "assets", "anchors");

        internal sealed class Run
        {
            public List<BulkRequest> Requests { get; } = new List<BulkRequest>();

            public List<ConversionDiagnostic> Diagnostics { get; } = new List<ConversionDiagnostic>();

            public IEnumerable<JsonElement> Users => Requests.SelectMany(r => JsonDocument.Parse(r.Json).RootElement.GetProperty("Operations").EnumerateArray().Select(o => o.GetProperty("data")));

            public JsonElement User(string externalId) => Users.Single(u => u.GetProperty("externalId").GetString() == externalId);
        }

        /// <summary>Converts records; with <paramref name="indexFirst"/>, as for CSV files: a first pass indexes them, the second converts.</summary>
        internal static Run Convert(AttributeMapping mapping, IEnumerable<IRecord> records, ConversionOptions? options = null, bool indexFirst = false)
        {
            var run = new Run();
            using var converter = new BulkRequestConverter(mapping, options, run.Diagnostics.Add);
            run.Requests.AddRange(indexFirst ? converter.ConvertAll(() => records) : converter.ConvertAll(records));
            return run;
        }

        internal static IEnumerable<IRecord> Csv(string text, string source = "test.csv")
        {
            using var reader = new CsvRecordReader(new StringReader(text), source);
            foreach (CsvRecord record in reader.ReadRecords())
            {
                yield return record;
            }
        }

        internal static IRecord Row(long number, params (string Name, object? Value)[] fields)
        {
            var record = new DictionaryRecord(number);
            foreach ((string name, object? value) in fields)
            {
                record.Add(name, value);
            }

            return record;
        }

        [Fact]
        public void MicrosoftSampleCsvMatchesGoldenDocument()
        {
            string path = Path.Combine(Anchors, "csv-with-2-records.csv");
            var run = new Run();
            using (var reader = new CsvRecordReader(path))
            {
                run = Convert(TestMappings.MicrosoftSample(), reader.ReadRecords());
            }

            Assert.Empty(run.Diagnostics);
            BulkRequest request = Assert.Single(run.Requests);
            Assert.Equal(new[] { "1222", "1513" }, request.ExternalIds);
            Assert.Equal(path, request.Source);
            Assert.Equal(1, request.FirstRecord);
            Assert.Equal(2, request.LastRecord);
            Golden.AssertMatches("microsoft-sample.json", Normalize(request.Json));
        }

        [Fact]
        public void MicrosoftSampleProducesTheAttributesOfMicrosoftsPayload()
        {
            using var reader = new CsvRecordReader(Path.Combine(Anchors, "csv-with-2-records.csv"));
            Run run = Convert(TestMappings.MicrosoftSample(), reader.ReadRecords());
            using JsonDocument reference = JsonDocument.Parse(File.ReadAllText(Path.Combine(Anchors, "Extended-SCIM-bulk-request-Core+Enterprise.json")));
            JsonElement referenceUser = reference.RootElement.GetProperty("Operations")[0].GetProperty("data");
            var expected = Shape(referenceUser);
            JsonElement ours = run.User("1513");
            var actual = Shape(ours);

            // Every attribute we produce exists in Microsoft's payload with the same JSON kind.
            foreach (KeyValuePair<string, JsonValueKind> pair in actual)
            {
                Assert.True(expected.TryGetValue(pair.Key, out JsonValueKind kind), $"{pair.Key} is not in Microsoft's sample payload");
                Assert.Equal(kind, pair.Value);
            }

            // And the mapped attributes Microsoft's sample has are all there (employee 1513 has every field).
            foreach (string path in new[] { "externalId", "userName", "name.familyName", "name.givenName", "displayName", "nickName", "userType", "title", "active", "addresses[].type", "addresses[].streetAddress", "addresses[].locality", "addresses[].postalCode", "addresses[].country", "phoneNumbers[].type", "phoneNumbers[].value", $"{ScimSchemas.EnterpriseUserUrn}.employeeNumber", $"{ScimSchemas.EnterpriseUserUrn}.manager.value", $"{ScimSchemas.EnterpriseUserUrn}.department" })
            {
                Assert.True(actual.ContainsKey(path), $"{path} missing");
            }

            Assert.True(ours.GetProperty("active").GetBoolean());
            Assert.False(run.User("1222").GetProperty("active").GetBoolean());
        }

        [Fact]
        public void BatchesIntoRequestsOfAtMostTheGivenSize()
        {
            IEnumerable<IRecord> records = Enumerable.Range(1, 120).Select(i => Row(i, ("Id", $"E{i}"), ("Upn", $"u{i}@contoso.com")));
            Run run = Convert(TestMappings.Minimal(), records);
            Assert.Equal(new[] { 50, 50, 20 }, run.Requests.Select(r => r.OperationCount));
            Assert.Equal(new[] { 1, 2, 3 }, run.Requests.Select(r => r.Index));
            Assert.Equal(Enumerable.Range(1, 120).Select(i => $"E{i}"), run.Requests.SelectMany(r => r.ExternalIds));
            Assert.Equal(51, run.Requests[1].FirstRecord);

            Run small = Convert(TestMappings.Minimal(), Enumerable.Range(1, 15).Select(i => Row(i, ("Id", $"E{i}"), ("Upn", "x@y"))), new ConversionOptions { OperationsPerRequest = 7 });
            Assert.Equal(new[] { 7, 7, 1 }, small.Requests.Select(r => r.OperationCount));
        }

        [Theory]
        [InlineData(0)]
        [InlineData(51)]
        public void RejectsOperationsPerRequestOutsideGraphsLimit(int size)
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => new ConversionOptions { OperationsPerRequest = size });
        }

        [Fact]
        public void WritesTheBulkRequestShapeGraphRequires()
        {
            Run run = Convert(TestMappings.Minimal(), new[] { Row(1, ("Id", "42"), ("Upn", "a@contoso.com")) });
            using JsonDocument document = JsonDocument.Parse(run.Requests[0].Json);
            JsonElement root = document.RootElement;
            Assert.Equal(BulkRequest.MessageSchema, root.GetProperty("schemas")[0].GetString());
            JsonElement operation = root.GetProperty("Operations")[0];
            Assert.Equal("POST", operation.GetProperty("method").GetString());
            Assert.Equal("/Users", operation.GetProperty("path").GetString());
            Assert.True(Guid.TryParse(operation.GetProperty("bulkId").GetString(), out _));
            JsonElement data = operation.GetProperty("data");
            Assert.Equal(new[] { ScimSchemas.CoreUserUrn, ScimSchemas.EnterpriseUserUrn }, data.GetProperty("schemas").EnumerateArray().Select(e => e.GetString()));
            Assert.Equal("42", data.GetProperty("externalId").GetString());
            Assert.Equal("a@contoso.com", data.GetProperty("userName").GetString());

            // The parser used for -Path JSON files reads what the converter writes.
            BulkRequest parsed = BulkRequestReader.Parse(run.Requests[0].Json);
            Assert.Equal(new[] { "42" }, parsed.ExternalIds);
        }

        [Fact]
        public void BulkIdIsStablePerExternalIdAndUniqueWithinARequest()
        {
            IRecord[] records = Enumerable.Range(1, 50).Select(i => Row(i, ("Id", $"W{i}"), ("Upn", "u@x"))).ToArray();
            string Ids(Run r) => string.Join(",", JsonDocument.Parse(r.Requests[0].Json).RootElement.GetProperty("Operations").EnumerateArray().Select(o => o.GetProperty("bulkId").GetString()));
            string first = Ids(Convert(TestMappings.Minimal(), records));
            string second = Ids(Convert(TestMappings.Minimal(), records));
            Assert.Equal(first, second);
            Assert.Equal(50, first.Split(',').Distinct().Count());
        }

        [Theory]
        [InlineData("True", true)]
        [InlineData("false", false)]
        [InlineData("YES", true)]
        [InlineData("no", false)]
        [InlineData("1", true)]
        [InlineData("0", false)]
        [InlineData(" true ", true)]
        public void ParsesUsualBooleanSpellingsForBooleanAttributes(string text, bool expected)
        {
            Run run = Convert(TestMappings.Minimal(MappingNode.ForColumn("active", "Active")), new[] { Row(1, ("Id", "1"), ("Upn", "u@x"), ("Active", text)) });
            Assert.Empty(run.Diagnostics);
            Assert.Equal(expected, run.User("1").GetProperty("active").GetBoolean());
        }

        [Fact]
        public void AnUnreadableBooleanIsAnErrorNamingRowAndAttributeAndTheOthersGoOn()
        {
            string csv = "Id,Upn,Active\n1,a@x,maybe\n2,b@x,true\n";
            Run run = Convert(TestMappings.Minimal(MappingNode.ForColumn("active", "Active")), Csv(csv, "hr.csv"));
            ConversionDiagnostic error = Assert.Single(run.Diagnostics);
            Assert.Equal("InvalidAttributeValue", error.ErrorId);
            Assert.Equal(1, error.RecordNumber);
            Assert.Equal("active", error.Attribute);
            Assert.Contains("'hr.csv', row 1", error.Message);
            Assert.Contains("column 'Active'", error.Message);
            Assert.Contains("maybe", error.Message);
            Assert.Equal(new[] { "2" }, run.Requests.SelectMany(r => r.ExternalIds));
        }

        [Fact]
        public void EmptyAndWhitespaceValuesAreOmittedNeverSentAsEmptyStrings()
        {
            var mapping = TestMappings.Minimal(
                MappingNode.ForColumn("title", "Title"),
                MappingNode.ForColumn("displayName", "Name"),
                MappingNode.ForComplex("name", new[] { MappingNode.ForColumn("givenName", "First"), MappingNode.ForColumn("familyName", "Last") }),
                MappingNode.ForComplex(ScimSchemas.EnterpriseUserUrn, new[] { MappingNode.ForComplex("manager", new[] { MappingNode.ForColumn("value", "Mgr") }) }));
            Run run = Convert(mapping, new[] { Row(1, ("Id", "1"), ("Upn", "u@x"), ("Title", ""), ("Name", "   "), ("First", null), ("Last", DBNull.Value), ("Mgr", "")) });
            JsonElement user = run.User("1");
            Assert.False(user.TryGetProperty("title", out _));
            Assert.False(user.TryGetProperty("displayName", out _));
            Assert.False(user.TryGetProperty("name", out _));
            Assert.False(user.TryGetProperty(ScimSchemas.EnterpriseUserUrn, out _));
            Assert.DoesNotContain("\"\"", run.Requests[0].Json);
        }

        [Fact]
        public void EmptyValueNullSendsExplicitNullsToClearAttributes()
        {
            var mapping = TestMappings.Minimal(
                MappingNode.ForColumn("title", "Title"),
                MappingNode.ForComplex(ScimSchemas.EnterpriseUserUrn, new[] { MappingNode.ForComplex("manager", new[] { MappingNode.ForColumn("value", "Mgr") }) }));
            Run run = Convert(mapping, new[] { Row(1, ("Id", "1"), ("Upn", "u@x"), ("Title", " "), ("Mgr", "")) }, new ConversionOptions { EmptyValue = EmptyValueHandling.Null });
            JsonElement user = run.User("1");
            Assert.Equal(JsonValueKind.Null, user.GetProperty("title").ValueKind);
            Assert.Equal(JsonValueKind.Null, user.GetProperty(ScimSchemas.EnterpriseUserUrn).GetProperty("manager").GetProperty("value").ValueKind);
        }

        [Fact]
        public void MultiValuedItemsWithoutDataAreOmitted()
        {
            var mapping = TestMappings.Minimal(
                MappingNode.ForMultiValued("phoneNumbers", new[]
                {
                    MappingNode.ForComplex(string.Empty, new[] { TestMappings.Computed("type", "{ 'work' }", MappingExpression.Literal("work")), MappingNode.ForColumn("value", "Office") }),
                    MappingNode.ForComplex(string.Empty, new[] { TestMappings.Computed("type", "{ 'mobile' }", MappingExpression.Literal("mobile")), MappingNode.ForColumn("value", "Mobile") }),
                }),
                MappingNode.ForMultiValued("addresses", new[]
                {
                    MappingNode.ForComplex(string.Empty, new[] { TestMappings.Computed("type", "{ 'work' }", MappingExpression.Literal("work")), MappingNode.ForColumn("locality", "City") }),
                }));
            Run run = Convert(mapping, new[]
            {
                Row(1, ("Id", "1"), ("Upn", "u@x"), ("Office", ""), ("Mobile", "555"), ("City", "")),
                Row(2, ("Id", "2"), ("Upn", "v@x"), ("Office", ""), ("Mobile", " "), ("City", "Oslo")),
            });
            JsonElement first = run.User("1");
            JsonElement phone = Assert.Single(first.GetProperty("phoneNumbers").EnumerateArray());
            Assert.Equal("mobile", phone.GetProperty("type").GetString());
            Assert.False(first.TryGetProperty("addresses", out _));
            JsonElement second = run.User("2");
            Assert.False(second.TryGetProperty("phoneNumbers", out _));
            Assert.Equal("Oslo", Assert.Single(second.GetProperty("addresses").EnumerateArray()).GetProperty("locality").GetString());
        }

        [Fact]
        public void MissingExternalIdOrUserNameIsAnErrorAndTheOthersGoOn()
        {
            Run run = Convert(TestMappings.Minimal(), new[]
            {
                Row(1, ("Id", ""), ("Upn", "a@x")),
                Row(2, ("Id", "2"), ("Upn", "")),
                Row(3, ("Id", "3"), ("Upn", "c@x")),
            });
            Assert.Equal(new[] { "MissingExternalId", "MissingUserName" }, run.Diagnostics.Select(d => d.ErrorId));
            Assert.Equal(new long[] { 1, 2 }, run.Diagnostics.Select(d => d.RecordNumber));
            Assert.Contains("Input object 1", run.Diagnostics[0].Message);
            Assert.Contains("column 'Id'", run.Diagnostics[0].Message);
            Assert.Equal("2", run.Diagnostics[1].ExternalId);
            Assert.Equal(new[] { "3" }, run.Requests.SelectMany(r => r.ExternalIds));
        }

        [Fact]
        public void RepeatedExternalIdSendsTheLastRowAndWarnsNamingBothRows()
        {
            Run run = Convert(TestMappings.Minimal(MappingNode.ForColumn("title", "T")), Csv("Id,Upn,T\n7,a@x,first\n8,b@x,x\n7,c@x,second\n", "hr.csv"));
            ConversionDiagnostic warning = Assert.Single(run.Diagnostics);
            Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
            Assert.Equal("DuplicateExternalId", warning.ErrorId);
            Assert.Equal(3, warning.RecordNumber);
            Assert.Contains("'hr.csv', row 3", warning.Message);
            Assert.Contains("'hr.csv', row 1", warning.Message);
            Assert.Equal("second", run.User("7").GetProperty("title").GetString());
            Assert.Equal("c@x", run.User("7").GetProperty("userName").GetString());

            // One operation per worker, placed where its winning row is.
            Assert.Equal(new[] { "8", "7" }, run.Requests.SelectMany(r => r.ExternalIds));
        }

        [Fact]
        public void DuplicatesAreFoundIgnoringCaseAcrossFilesAndNamePipelineObjects()
        {
            var run = new Run();
            using var converter = new BulkRequestConverter(TestMappings.Minimal(), null, run.Diagnostics.Add);
            foreach (IRecord record in Csv("Id,Upn\nemp-9,a@x\n", "a.csv").Concat(Csv("Id,Upn\nEMP-9,b@x\n", "b.csv")))
            {
                converter.Add(record);
            }

            converter.Add(Row(1, ("Id", "Emp-9"), ("Upn", "c@x")));
            run.Requests.AddRange(converter.CompleteAndTakeAll());
            Assert.Equal(2, run.Diagnostics.Count);
            Assert.All(run.Diagnostics, d => Assert.Equal("DuplicateExternalId", d.ErrorId));
            Assert.StartsWith("'b.csv', row 1", run.Diagnostics[0].Message);
            Assert.Contains("repeats 'a.csv', row 1", run.Diagnostics[0].Message);
            Assert.StartsWith("Input object 1", run.Diagnostics[1].Message);
            Assert.Contains("repeats 'b.csv', row 1", run.Diagnostics[1].Message);
            Assert.Equal(3, converter.RecordsConverted);
            Assert.Equal(1, converter.Operations);
            Assert.Equal(2, converter.RecordsSuperseded);
            Assert.Equal("c@x", run.User("Emp-9").GetProperty("userName").GetString());
        }

        [Fact]
        public void AScriptblockThatThrowsIsAnErrorNamingTheAttribute()
        {
            var mapping = TestMappings.Minimal(MappingNode.ForComputed("displayName", new ComputedValue("{ throw 'boom' }", r => r.Number == 2 ? throw new InvalidOperationException("boom") : "ok")));
            Run run = Convert(mapping, Enumerable.Range(1, 3).Select(i => Row(i, ("Id", $"{i}"), ("Upn", "u@x"))));
            ConversionDiagnostic error = Assert.Single(run.Diagnostics);
            Assert.Equal("MappingExpressionFailed", error.ErrorId);
            Assert.Equal("displayName", error.Attribute);
            Assert.Equal(2, error.RecordNumber);
            Assert.Contains("boom", error.Message);
            Assert.IsType<InvalidOperationException>(error.Exception);
            Assert.Equal(new[] { "1", "3" }, run.Requests.SelectMany(r => r.ExternalIds));
        }

        [Fact]
        public void ScriptblockResultsBecomeTypedValuesObjectsAndArrays()
        {
            var mapping = TestMappings.Minimal(
                MappingNode.ForComputed("emails", new ComputedValue("{...}", r => new object[] { new Hashtable { ["value"] = "a@contoso.com", ["type"] = "work", ["primary"] = true }, new Hashtable { ["value"] = "", ["type"] = "home" } })),
                MappingNode.ForComplex(ScimSchemas.EnterpriseUserUrn, new[] { MappingNode.ForComputed("manager", new ComputedValue("{...}", r => new Hashtable { ["value"] = "M1" })) }),
                MappingNode.ForComplex("urn:ietf:params:scim:schemas:extension:contoso:1.0:User", new[]
                {
                    MappingNode.ForComputed("HireDate", new ComputedValue("{...}", r => new DateTime(2024, 1, 31, 9, 0, 0, DateTimeKind.Unspecified))),
                    MappingNode.ForComputed("Start", new ComputedValue("{...}", r => new DateTimeOffset(2024, 2, 1, 8, 0, 0, TimeSpan.FromHours(2)))),
                    MappingNode.ForComputed("Grade", new ComputedValue("{...}", r => 7)),
                    MappingNode.ForComputed("OnLeave", new ComputedValue("{...}", r => false)),
                }),
                MappingNode.ForComputed("title", new ComputedValue("{...}", r => 12.5)));
            Run run = Convert(mapping, new[] { Row(1, ("Id", "1"), ("Upn", "u@x")) });
            Assert.Empty(run.Diagnostics);
            JsonElement user = run.User("1");
            JsonElement email = Assert.Single(user.GetProperty("emails").EnumerateArray());
            Assert.True(email.GetProperty("primary").GetBoolean());
            Assert.Equal("M1", user.GetProperty(ScimSchemas.EnterpriseUserUrn).GetProperty("manager").GetProperty("value").GetString());
            JsonElement custom = user.GetProperty("urn:ietf:params:scim:schemas:extension:contoso:1.0:User");
            Assert.Equal("2024-01-31T09:00:00Z", custom.GetProperty("HireDate").GetString());
            Assert.Equal("2024-02-01T06:00:00Z", custom.GetProperty("Start").GetString());
            Assert.Equal(7, custom.GetProperty("Grade").GetInt32());
            Assert.False(custom.GetProperty("OnLeave").GetBoolean());
            Assert.Equal("12.5", user.GetProperty("title").GetString());
            Assert.Contains("urn:ietf:params:scim:schemas:extension:contoso:1.0:User", user.GetProperty("schemas").EnumerateArray().Select(e => e.GetString()));
        }

        [Fact]
        public void ExtensionSchemasAreListedOnlyWhenTheRecordCarriesThem()
        {
            const string urn = "urn:ietf:params:scim:schemas:extension:contoso:1.0:User";
            var mapping = TestMappings.Minimal(MappingNode.ForComplex(urn, new[] { MappingNode.ForColumn("JobCode", "Job") }));
            Run run = Convert(mapping, new[] { Row(1, ("Id", "1"), ("Upn", "u@x"), ("Job", "J9")), Row(2, ("Id", "2"), ("Upn", "v@x"), ("Job", "")) });
            Assert.Contains(urn, run.User("1").GetProperty("schemas").EnumerateArray().Select(e => e.GetString()));
            Assert.DoesNotContain(urn, run.User("2").GetProperty("schemas").EnumerateArray().Select(e => e.GetString()));
            Assert.Contains(ScimSchemas.EnterpriseUserUrn, run.User("2").GetProperty("schemas").EnumerateArray().Select(e => e.GetString()));
        }

        [Fact]
        public void ScimSchemaNamespacePutsEveryColumnUnderTheExtension()
        {
            const string urn = "urn:ietf:params:scim:schemas:extension:csv:1.0:User";
            var diagnostics = new List<ConversionDiagnostic>();
            Run run = Convert(TestMappings.Minimal(), Csv("Id,Upn,HireDate,Bad Name,Empty\n1,u@x,2020-01-01,zz,\n2,v@x,2021-01-01,yy,\n"), new ConversionOptions { ScimSchemaNamespace = urn });
            JsonElement block = run.User("1").GetProperty(urn);
            Assert.Equal("1", block.GetProperty("Id").GetString());
            Assert.Equal("2020-01-01", block.GetProperty("HireDate").GetString());
            Assert.False(block.TryGetProperty("Bad Name", out _));
            Assert.False(block.TryGetProperty("Empty", out _));
            ConversionDiagnostic warning = Assert.Single(run.Diagnostics);
            Assert.Equal(DiagnosticSeverity.Warning, warning.Severity);
            Assert.Equal("InvalidAttributeName", warning.ErrorId);
            Assert.Contains(urn, run.User("2").GetProperty("schemas").EnumerateArray().Select(e => e.GetString()));
        }

        [Fact]
        public void ExternalIdFilterConvertsOnlyTheGivenRecords()
        {
            var options = new ConversionOptions { ExternalIdFilter = new HashSet<string>(new[] { "3", "5" }, StringComparer.OrdinalIgnoreCase) };
            var run = new Run();
            using var converter = new BulkRequestConverter(TestMappings.Minimal(), options, run.Diagnostics.Add);
            foreach (IRecord record in Enumerable.Range(1, 6).Select(i => Row(i, ("Id", $"{i}"), ("Upn", "u@x"))))
            {
                converter.Add(record);
            }

            BulkRequest request = Assert.Single(converter.CompleteAndTakeAll());
            Assert.Equal(new[] { "3", "5" }, request.ExternalIds);
            Assert.Equal(4, converter.RecordsFiltered);
            Assert.Equal(2, converter.RecordsConverted);
        }

        [Fact]
        public void CsvRecordsAndPipelineObjectsGiveIdenticalDocuments()
        {
            string csv = File.ReadAllText(Path.Combine(Anchors, "csv-with-2-records.csv"));
            Run fromCsv = Convert(TestMappings.MicrosoftSample(), Csv(csv, "x.csv"));
            var objects = Csv(csv, "x.csv").Select(r => (IRecord)DictionaryRecord.FromDictionary(r.FieldNames.ToDictionary(n => n, n => { r.TryGetValue(n, out object? v); return v; }), r.Number)).ToList();
            Run fromObjects = Convert(TestMappings.MicrosoftSample(), objects);
            Assert.Equal(fromCsv.Requests[0].Json, fromObjects.Requests[0].Json);
        }

        [Fact]
        public void OutputDoesNotDependOnMappingOrder()
        {
            AttributeMapping forward = TestMappings.MicrosoftSample();
            AttributeMapping reversed = new AttributeMapping(forward.Entries.Reverse().Select(Reverse));
            string csv = File.ReadAllText(Path.Combine(Anchors, "csv-with-2-records.csv"));
            Assert.Equal(Convert(forward, Csv(csv)).Requests[0].Json, Convert(reversed, Csv(csv)).Requests[0].Json);

            static MappingNode Reverse(MappingNode node) => node.Kind == MappingNodeKind.Complex ? MappingNode.ForComplex(node.Name, node.Children.Reverse().Select(Reverse)) : node;
        }

        [Fact]
        public void TypedPipelineValuesFallBackToTheScriptblock()
        {
            // $_.Active -eq 'True' on a [bool] property has PowerShell semantics the compiled form does not model.
            int calls = 0;
            var computed = new ComputedValue(
                "{ $_.Active -eq 'True' }",
                r => { calls++; return true; },
                MappingExpression.Equal(MappingExpression.Column("Active"), MappingExpression.Literal("True")));
            var mapping = TestMappings.Minimal(MappingNode.ForComputed("active", computed));
            Run run = Convert(mapping, new[] { Row(1, ("Id", "1"), ("Upn", "u@x"), ("Active", true)), Row(2, ("Id", "2"), ("Upn", "u@x"), ("Active", "true")) });
            Assert.Equal(1, calls);
            Assert.True(run.User("1").GetProperty("active").GetBoolean());
            Assert.True(run.User("2").GetProperty("active").GetBoolean());
        }

        internal static string Normalize(string json) => JsonSerializer.Serialize(JsonDocument.Parse(json).RootElement, new JsonSerializerOptions { WriteIndented = true });

        private static Dictionary<string, JsonValueKind> Shape(JsonElement element)
        {
            var result = new Dictionary<string, JsonValueKind>(StringComparer.OrdinalIgnoreCase);
            void Walk(JsonElement e, string prefix)
            {
                foreach (JsonProperty p in e.EnumerateObject())
                {
                    string path = prefix.Length == 0 ? p.Name : $"{prefix}.{p.Name}";
                    if (p.Value.ValueKind == JsonValueKind.Object)
                    {
                        Walk(p.Value, path);
                    }
                    else if (p.Value.ValueKind == JsonValueKind.Array && p.Value.GetArrayLength() > 0 && p.Value[0].ValueKind == JsonValueKind.Object)
                    {
                        foreach (JsonElement item in p.Value.EnumerateArray())
                        {
                            Walk(item, path + "[]");
                        }
                    }
                    else
                    {
                        result[path] = p.Value.ValueKind == JsonValueKind.False ? JsonValueKind.True : p.Value.ValueKind;
                    }
                }
            }

            Walk(element, string.Empty);
            result.Remove("schemas");
            return result;
        }
    }
}
