using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Graph;
using EntraInboundProvisioning.GraphEmulator;
using EntraInboundProvisioning.IntegrationTests.Sending;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Schema;
using EntraInboundProvisioning.Scim;
using EntraInboundProvisioning.Sending;
using EntraInboundProvisioning.Sources;
using Xunit;

namespace EntraInboundProvisioning.IntegrationTests.Conversion
{
    /// <summary>
    /// Convert, send and run a provisioning cycle against the emulator, which behaves as the service does: what the
    /// directory ends with shows that each record meant what the admin meant.
    /// </summary>
    public class ServiceRulesEndToEndTests
    {
        private const string Contoso = "urn:ietf:params:scim:schemas:extension:contoso:1.0:User";

        private static AttributeMapping Mapping(bool withActive = true, bool withManager = true, bool withHireDate = false)
        {
            var entries = new List<MappingNode>
            {
                MappingNode.ForColumn("externalId", "Id"),
                MappingNode.ForColumn("userName", "Upn"),
                MappingNode.ForColumn("title", "Title"),
            };
            if (withActive)
            {
                entries.Add(MappingNode.ForColumn("active", "Active"));
            }

            if (withManager)
            {
                entries.Add(MappingNode.ForComplex(ScimSchemas.EnterpriseUserUrn, new[] { MappingNode.ForComplex("manager", new[] { MappingNode.ForColumn("value", "Manager") }) }));
            }

            if (withHireDate)
            {
                entries.Add(MappingNode.ForComplex(Contoso, new[] { MappingNode.ForColumn("HireDate", "Hired") }));
            }

            return new AttributeMapping(entries);
        }

        /// <summary>Converts a CSV text as ConvertTo-ScimBulkRequest -Path does (indexing first when the run wants it).</summary>
        private static (List<BulkRequest> Requests, List<ConversionDiagnostic> Diagnostics) Convert(string csv, AttributeMapping mapping, ConversionOptions? options = null)
        {
            var diagnostics = new List<ConversionDiagnostic>();
            var requests = new List<BulkRequest>();
            using var converter = new BulkRequestConverter(mapping, options, diagnostics.Add);
            IEnumerable<IRecord> Read()
            {
                using var reader = new CsvRecordReader(new StringReader(csv), "hr.csv");
                foreach (CsvRecord record in reader.ReadRecords())
                {
                    yield return record;
                }
            }

            requests.AddRange(converter.ConvertAll(Read));
            return (requests, diagnostics);
        }

        private static List<BulkUploadResult> Send(Emulator emulator, IEnumerable<BulkRequest> requests, int concurrency = 4)
            => BulkUploadSenderTests.SendAll(emulator, emulator.SecretSession(), requests, new SendOptions { MaxConcurrency = concurrency, CallsPerWindow = 40, Window = TimeSpan.FromSeconds(2), JitterSeed = 1 });

        private static string Csv(IEnumerable<(string Id, string? Manager)> workers, Func<string, string>? title = null)
        {
            var text = new StringBuilder("Id,Upn,Title,Active,Manager\n");
            foreach ((string id, string? manager) in workers)
            {
                text.Append(id).Append(',').Append(id.ToLowerInvariant()).Append("@contoso.com,").Append(title?.Invoke(id) ?? "Clerk").Append(",True,").Append(manager).Append('\n');
            }

            return text.ToString();
        }

        /// <summary>A five-level hierarchy (1, 3, 9, 27, 81 workers), shuffled so most reports come before their managers.</summary>
        private static List<(string Id, string? Manager)> ShuffledHierarchy()
        {
            var workers = new List<(string Id, string? Manager)> { ("W0", null) };
            var level = new List<string> { "W0" };
            for (int depth = 1; depth < 5; depth++)
            {
                var next = new List<string>();
                foreach (string manager in level)
                {
                    for (int i = 0; i < 3; i++)
                    {
                        string id = $"W{workers.Count}";
                        workers.Add((id, manager));
                        next.Add(id);
                    }
                }

                level = next;
            }

            var random = new Random(7);
            return workers.OrderBy(_ => random.Next()).ToList();
        }

        [Fact]
        public async Task ManagersSentFirstAreResolvedInTheFirstCycleEvenWithRequestsInParallel()
        {
            await using var emulator = await Emulator.StartAsync(new EmulatorOptions { Latency = TimeSpan.FromMilliseconds(60) });
            List<(string Id, string? Manager)> workers = ShuffledHierarchy();
            (List<BulkRequest> requests, List<ConversionDiagnostic> diagnostics) = Convert(Csv(workers), Mapping(), new ConversionOptions { OperationsPerRequest = 5 });
            Assert.Empty(diagnostics);
            Assert.Contains(requests, r => r.DependsOn > 0);

            List<BulkUploadResult> results = Send(emulator, requests);
            Assert.All(results, r => Assert.Equal(BulkUploadStatus.Accepted, r.Status));

            // Accepted in an order where every manager comes before each of their reports.
            List<string> accepted = emulator.State.AcceptedOperations(emulator.State.DefaultJobId).Select(o => o.ExternalId).ToList();
            foreach ((string id, string? manager) in workers.Where(w => w.Manager is not null))
            {
                Assert.True(accepted.IndexOf(manager!) < accepted.IndexOf(id), $"{manager} was accepted after {id}");
            }

            emulator.State.RunCycle(emulator.State.DefaultJobId);
            foreach ((string id, string? manager) in workers)
            {
                Assert.Equal(manager, emulator.State.FindUser(id)!.ManagerExternalId);
            }
        }

        [Fact]
        public async Task InInputOrderManyReportsWouldMissTheirManagerInThatCycle()
        {
            // The control: the same workers without ordering. The service cannot set a manager it does not have yet.
            await using var emulator = await Emulator.StartAsync();
            List<(string Id, string? Manager)> workers = ShuffledHierarchy();
            (List<BulkRequest> requests, _) = Convert(Csv(workers), Mapping(), new ConversionOptions { OperationsPerRequest = 5, OrderManagersFirst = false });
            Send(emulator, requests, concurrency: 1);
            emulator.State.RunCycle(emulator.State.DefaultJobId);
            int unresolved = workers.Count(w => w.Manager is not null && emulator.State.FindUser(w.Id)!.ManagerExternalId is null);
            Assert.True(unresolved > 20, $"only {unresolved} reports missed their manager");
        }

        [Fact]
        public async Task ARecordWithoutActiveWouldDisableTheAccountSoTheModuleNeverSendsOneUnlessTold()
        {
            await using var emulator = await Emulator.StartAsync();
            Send(emulator, Convert(Csv(new[] { ("A", (string?)null), ("B", null) }), Mapping(withManager: false)).Requests);
            emulator.State.RunCycle(emulator.State.DefaultJobId);
            Assert.True(emulator.State.FindUser("A")!.Enabled);

            // A mapping without active is refused: it would switch off everyone it touches.
            Assert.Throws<ArgumentException>(() => new BulkRequestConverter(Mapping(withActive: false, withManager: false), null, _ => { }));

            // An empty active cell: that record is not sent, so B stays enabled while A is updated.
            (List<BulkRequest> requests, List<ConversionDiagnostic> diagnostics) = Convert("Id,Upn,Title,Active\nA,a@contoso.com,Chef,True\nB,b@contoso.com,Chef,\n", Mapping(withManager: false));
            Assert.Equal("MissingActive", Assert.Single(diagnostics).ErrorId);
            Send(emulator, requests);
            emulator.State.RunCycle(emulator.State.DefaultJobId);
            Assert.True(emulator.State.FindUser("A")!.Enabled);
            Assert.Equal("Chef", emulator.State.FindUser("A")!.Attributes["title"]);
            Assert.True(emulator.State.FindUser("B")!.Enabled);
            Assert.Equal("Clerk", emulator.State.FindUser("B")!.Attributes["title"]);

            // With the explicit opt-out the record goes without active, and the service disables the account.
            (requests, _) = Convert("Id,Upn,Title\nB,b@contoso.com,Cook\n", Mapping(withActive: false, withManager: false), new ConversionOptions { AllowMissingActive = true });
            Send(emulator, requests);
            emulator.State.RunCycle(emulator.State.DefaultJobId);
            Assert.False(emulator.State.FindUser("B")!.Enabled);
        }

        [Fact]
        public async Task ARepeatedWorkerEndsAsTheLastRowSaysWithOneOperation()
        {
            await using var emulator = await Emulator.StartAsync();
            string csv = "Id,Upn,Title,Active,Manager\nA,a@contoso.com,Clerk,True,\nB,b@contoso.com,Cook,True,\nA,a@contoso.com,Manager,False,\n";
            (List<BulkRequest> requests, List<ConversionDiagnostic> diagnostics) = Convert(csv, Mapping());
            Assert.Equal("DuplicateExternalId", Assert.Single(diagnostics).ErrorId);
            Send(emulator, requests);
            emulator.State.RunCycle(emulator.State.DefaultJobId);
            Assert.Equal(1, emulator.State.AcceptedCountByExternalId(emulator.State.DefaultJobId)["A"]);
            ProvisionedUser a = emulator.State.FindUser("A")!;
            Assert.Equal("Manager", a.Attributes["title"]);
            Assert.False(a.Enabled);
        }

        [Fact]
        public async Task DatesLearnedFromTheJobSchemaAreAcceptedWhereBareDatesFail()
        {
            await using var emulator = await Emulator.StartAsync();
            ProvisioningApi api = emulator.SecretSession();
            string sp = emulator.State.DefaultServicePrincipalId, job = emulator.State.DefaultJobId;
            string original = await api.GetSchemaAsync(sp, job, CancellationToken.None);
            SynchronizationSchemaDocument document = SynchronizationSchemaDocument.Parse(original);
            document.AddAttributes(new[] { new SchemaAttributeSpec($"{Contoso}:HireDate") });
            document.AddMappings(new Dictionary<string, string> { [$"{Contoso}:HireDate"] = "employeeHireDate" });
            await api.PutSchemaIfUnchangedAsync(sp, job, original, document.ToJson(), CancellationToken.None);

            IReadOnlyList<string> learned = SynchronizationSchemaDocument.Parse(await api.GetSchemaAsync(sp, job, CancellationToken.None)).DateTimeAttributes();
            Assert.Equal(new[] { $"{Contoso}:HireDate" }, learned);

            string csv = "Id,Upn,Title,Active,Hired\nA,a@contoso.com,Clerk,True,03/01/2024\n";
            Send(emulator, Convert(csv, Mapping(withManager: false, withHireDate: true)).Requests);
            JsonObject bare = Assert.Single(emulator.State.RunCycle(job));
            Assert.Equal("failure", bare["provisioningStatusInfo"]!["status"]!.ToString());
            Assert.Equal("InvalidDateTimeFormat", bare["provisioningStatusInfo"]!["errorInformation"]!["errorCode"]!.ToString());

            var options = new ConversionOptions { DateAttributes = new HashSet<string>(learned, StringComparer.OrdinalIgnoreCase) };
            Send(emulator, Convert(csv, Mapping(withManager: false, withHireDate: true), options).Requests);
            JsonObject iso = Assert.Single(emulator.State.RunCycle(job));
            Assert.Equal("success", iso["provisioningStatusInfo"]!["status"]!.ToString());
            Assert.Equal("2024-03-01T00:00:00Z", emulator.State.FindUser("A")!.Attributes[$"{Contoso}:HireDate"]);
        }
    }
}
