using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Scim;
using EntraInboundProvisioning.Sources;
using EntraInboundProvisioning.State;
using Xunit;
using static EntraInboundProvisioning.Tests.Scim.BulkRequestConverterTests;

namespace EntraInboundProvisioning.Tests.State
{
    /// <summary>Delta runs at their edges: failed disables, stray whitespace, empty input, mapping changes, sources, crashes.</summary>
    public sealed class DeltaEdgeTests : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("eip-edges-").FullName;

        public void Dispose() => Directory.Delete(_directory, true);

        private string StatePath => Path.Combine(_directory, "job.state");

        private static AttributeMapping Mapping(params MappingNode[] more) => TestMappings.Minimal(new[] { MappingNode.ForColumn("title", "T") }.Concat(more).ToArray());

        private static IRecord[] Workers(int count, Func<int, string>? title = null, Func<int, bool>? include = null, Func<int, string>? id = null)
            => Enumerable.Range(1, count).Where(i => include?.Invoke(i) ?? true)
                .Select((i, n) => Row(n + 1, ("Id", id?.Invoke(i) ?? $"W{i}"), ("Upn", $"w{i}@contoso.com"), ("T", title?.Invoke(i) ?? "Clerk")))
                .ToArray();

        /// <summary>One run with the state: converted (indexed first, as -Path), every request accepted, committed.</summary>
        private (Run Run, ConversionSummary Summary) Day(IRecord[] records, AttributeMapping? mapping = null, Action<ConversionOptions>? configure = null)
        {
            var run = new Run();
            DateTimeOffset started = DateTimeOffset.UtcNow;
            using RunState state = RunState.Acquire(StatePath, Guid.NewGuid());
            var options = new ConversionOptions();
            configure?.Invoke(options);
            ConversionSummary summary;
            using (var converter = new BulkRequestConverter(mapping ?? Mapping(), options, state, run.Diagnostics.Add))
            {
                run.Requests.AddRange(converter.ConvertAll(() => records));
                summary = converter.Summary();
                converter.ReportPlan(summary);
                converter.NoteShapes();
            }

            foreach (BulkRequest request in run.Requests)
            {
                state.RecordAccepted(request, DateTimeOffset.UtcNow);
            }

            state.Commit(new RunRecord { StartedAt = started, CompletedAt = DateTimeOffset.UtcNow, Plan = summary, Requests = run.Requests.Count, Calls = run.Requests.Count, Accepted = state.AcceptedRequests, AcceptedRecords = state.AcceptedRecords });
            return (run, summary);
        }

        private void Outcome(string externalId, bool failed, string? error = null)
        {
            using RunState state = RunState.Acquire(StatePath, Guid.NewGuid());
            Assert.True(state.RecordOutcome(externalId, failed, DateTimeOffset.UtcNow.AddMinutes(5), error));
            state.Commit();
        }

        private static IEnumerable<(string Id, OperationKind Kind)> Sent(Run run)
            => run.Requests.SelectMany(r => r.ExternalIds.Zip(r.OperationKinds, (id, kind) => (id, kind)));

        [Fact]
        public void ADisableThatFailedIsSentAgainWithoutTheRefusedUserNameUntilACycleConfirmsIt()
        {
            Day(Workers(40));
            Outcome("W3", failed: true, "AzureActiveDirectoryInvalidUserPrincipalName: bad");

            // W3 leaves after its last cycle failed: the disable goes without the userName the service refused.
            var (left, _) = Day(Workers(40, include: i => i != 3), configure: o => o.LeaverThreshold = new LeaverThreshold("1"));
            Assert.Equal(("W3", OperationKind.Leaver), Assert.Single(Sent(left)));
            JsonElement disable = left.User("W3");
            Assert.Equal(new[] { "schemas", "externalId", "active" }, disable.EnumerateObject().Select(p => p.Name));
            ProvisioningStateInfo pending = ProvisioningStateReader.Read(StatePath).State;
            Assert.Equal(1, pending.DisablesPending);

            // The disable fails too: the next runs send it again (a retry, not a new leaver), saying why.
            Outcome("W3", failed: true, "AzureActiveDirectoryInvalidUserPrincipalName: still bad");
            var (again, summary) = Day(Workers(40, include: i => i != 3));
            Assert.Equal(("W3", OperationKind.Retry), Assert.Single(Sent(again)));
            Assert.Equal(1, summary.LeaverRetries);
            Assert.Equal(0, summary.Leavers);
            ConversionDiagnostic note = Assert.Single(again.Diagnostics, d => d.ErrorId == "DisableRetried");
            Assert.Contains("'W3' (AzureActiveDirectoryInvalidUserPrincipalName: still bad)", note.Message);
            WorkerStateInfo w3 = ProvisioningStateReader.Read(StatePath).Workers(new[] { "W3" }).Single();
            Assert.True(w3.Left);
            Assert.True(w3.DisablePending);

            // Confirmed: never sent again.
            Outcome("W3", failed: false);
            Assert.Empty(Day(Workers(40, include: i => i != 3)).Run.Requests);
            Assert.Equal(0, ProvisioningStateReader.Read(StatePath).State.DisablesPending);
        }

        [Fact]
        public void AWorkerHRMarkedInactiveWhoseDisableFailedIsDisabledAgainWhenTheyLeaveTheExport()
        {
            // active comes from a column: W5 is inactive in HR, and its disable fails in the cycle.
            AttributeMapping mapping = new AttributeMapping(new[] { MappingNode.ForColumn("externalId", "Id"), MappingNode.ForColumn("userName", "Upn"), MappingNode.ForColumn("active", "On") });
            IRecord[] Rows(Func<int, bool> include) => Enumerable.Range(1, 40).Where(include).Select((i, n) => Row(n + 1, ("Id", $"W{i}"), ("Upn", $"w{i}@x.com"), ("On", i == 5 ? "false" : "true"))).ToArray();
            Day(Rows(_ => true), mapping);
            Outcome("W5", failed: true, "SomeError: could not disable");
            var (run, summary) = Day(Rows(i => i != 5), mapping);

            // Not a new leaver (it was inactive already, so the threshold does not count it), but its disable is sent.
            Assert.Equal(("W5", OperationKind.Retry), Assert.Single(Sent(run)));
            Assert.Equal(0, summary.Leavers);
            Assert.False(run.User("W5").GetProperty("active").GetBoolean());
            Assert.False(run.User("W5").TryGetProperty("userName", out _));
        }

        [Fact]
        public void AnInactiveWorkerWhoseRecordTheServiceRefusedIsDisabledAloneWhileHRKeepsTheBadData()
        {
            // W5 turns inactive in HR and, the same day, gets a userName the service refuses.
            AttributeMapping mapping = new AttributeMapping(new[] { MappingNode.ForColumn("externalId", "Id"), MappingNode.ForColumn("userName", "Upn"), MappingNode.ForColumn("active", "On") });
            IRecord[] Rows(bool inactive) => Enumerable.Range(1, 40).Select(i => Row(i, ("Id", $"W{i}"), ("Upn", i == 5 && inactive ? "w 5@x.com" : $"w{i}@x.com"), ("On", i == 5 && inactive ? "false" : "true"))).ToArray();
            Day(Rows(inactive: false), mapping);
            var (moved, _) = Day(Rows(inactive: true), mapping);
            Assert.Equal(("W5", OperationKind.Mover), Assert.Single(Sent(moved)));
            Outcome("W5", failed: true, "AzureActiveDirectoryInvalidUserPrincipalName: bad");
            Assert.Equal(1, ProvisioningStateReader.Read(StatePath).State.DisablesPending);

            // The next run does not send the refused record again: the disable goes alone, and says why.
            var (retried, summary) = Day(Rows(inactive: true), mapping);
            Assert.Equal(("W5", OperationKind.Retry), Assert.Single(Sent(retried)));
            Assert.Equal(new[] { "schemas", "externalId", "active" }, retried.User("W5").EnumerateObject().Select(p => p.Name));
            Assert.False(retried.User("W5").GetProperty("active").GetBoolean());
            Assert.Contains("'W5' (AzureActiveDirectoryInvalidUserPrincipalName: bad)", Assert.Single(retried.Diagnostics, d => d.ErrorId == "DisableRetried").Message);
            Assert.Equal(1, summary.Retries);

            // Confirmed: the record is not sent again while it stays as it is; an active worker's failure is resent whole.
            Outcome("W5", failed: false);
            Assert.Empty(Day(Rows(inactive: true), mapping).Run.Requests);
            Assert.Equal(0, ProvisioningStateReader.Read(StatePath).State.DisablesPending);
            Outcome("W7", failed: true, "SomeError");
            var (whole, _) = Day(Rows(inactive: true), mapping);
            Assert.True(whole.User("W7").GetProperty("active").GetBoolean());
            Assert.Equal("w7@x.com", whole.User("W7").GetProperty("userName").GetString());
        }

        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void LeaversGoInTheFirstRequestsSoARunCutShortStillDisablesThem(bool indexFirst)
        {
            Day(Workers(300));

            // 200 movers (a title change) and 3 leavers: the disables must not wait behind the movers.
            var run = new Run();
            using (RunState state = RunState.Acquire(StatePath, Guid.NewGuid()))
            using (var converter = new BulkRequestConverter(Mapping(), new ConversionOptions { LeaverThreshold = new LeaverThreshold("5") }, state, run.Diagnostics.Add))
            {
                IRecord[] records = Workers(300, title: i => i <= 200 ? "Chief" : "Clerk", include: i => i is not (10 or 150 or 299));
                run.Requests.AddRange(indexFirst ? converter.ConvertAll(() => records) : converter.ConvertAll(records));
            }

            Assert.Equal(5, run.Requests.Count);
            Assert.Equal(new[] { "W10", "W150", "W299" }, Sent(run).Take(3).Select(s => s.Id));
            Assert.All(Sent(run).Take(3), s => Assert.Equal(OperationKind.Leaver, s.Kind));
            Assert.Equal(198, Sent(run).Count(s => s.Kind == OperationKind.Mover));
        }

        [Fact]
        public void AManagerReferenceIsTrimmedLikeAnExternalIdAndSaysSo()
        {
            AttributeMapping mapping = TestMappings.Minimal(MappingNode.ForComplex(ScimSchemas.EnterpriseUserUrn, new[] { MappingNode.ForComplex("manager", new[] { MappingNode.ForColumn("value", "Boss") }) }));
            IRecord[] rows =
            {
                Row(1, ("Id", "W1"), ("Upn", "w1@x.com"), ("Boss", "")),
                Row(2, ("Id", "W2"), ("Upn", "w2@x.com"), ("Boss", "W1 ")),
            };
            Run run = Convert(mapping, rows);
            Assert.Equal("W1", run.User("W2").GetProperty(ScimSchemas.EnterpriseUserUrn).GetProperty("manager").GetProperty("value").GetString());
            ConversionDiagnostic trimmed = Assert.Single(run.Diagnostics, d => d.ErrorId == "ExternalIdTrimmed");
            Assert.Contains("Input object 2", trimmed.Message);
            Assert.Contains("'W1 '", trimmed.Message);
        }

        [Fact]
        public void TheStateKeepsAHistoryOfRunsBoundedAndCountsEachRunsCycleOutcomesOnce()
        {
            Day(Workers(10));
            Outcome("W1", failed: true, "SomeError: bad");
            Outcome("W2", failed: false);
            using (RunState state = RunState.Acquire(StatePath, Guid.NewGuid()))
            {
                Assert.False(state.RecordOutcome("W2", failed: false, DateTimeOffset.UtcNow.AddMinutes(5))); // read twice: counted once
                state.Commit();
            }

            Day(Workers(10, title: i => i <= 3 ? "Chief" : "Clerk"));
            Outcome("W3", failed: true, "SomeError: worse");

            IReadOnlyList<RunRecord> history = ProvisioningStateReader.Read(StatePath).State.History;
            Assert.Equal(new[] { 10L, 0L }, history.Select(r => r.Joiners));
            Assert.Equal(new[] { 0L, 3L }, history.Select(r => r.Movers)); // W1 is a mover (and its retry)
            Assert.Equal(new[] { (1L, 1L), (1L, 0L) }, history.Select(r => (r.CycleFailures, r.CycleSuccesses)));
            Assert.Equal(new[] { 1, 1 }, history.Select(r => r.Calls));

            // Bounded: the oldest runs go first, but never one of the last 24 hours (the daily limit counts their calls).
            using (RunState state = RunState.Acquire(StatePath, Guid.NewGuid()))
            {
                state.HistoryLimit = 3;
                state.Commit();
            }

            for (int day = 0; day < 4; day++)
            {
                Day(Workers(10, title: i => i <= 3 ? "Chief" : "Clerk"));
            }

            history = ProvisioningStateReader.Read(StatePath).State.History;
            Assert.Equal(6, history.Count);

            // Two days later the runs of that day are old: the next run keeps the limit.
            (WorkerStateTable aged, System.Text.Json.Nodes.JsonObject agedJson) = StateFile.Read(StatePath);
            foreach (System.Text.Json.Nodes.JsonNode? run in agedJson["history"]!.AsArray())
            {
                foreach (string time in new[] { "startedAt", "completedAt" })
                {
                    run![time] = DateTimeOffset.Parse(run[time]!.GetValue<string>(), System.Globalization.CultureInfo.InvariantCulture).AddDays(-2).ToString("o", System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            StateFile.Write(StatePath, aged, agedJson);
            Day(Workers(10, title: i => i <= 3 ? "Chief" : "Clerk"));
            history = ProvisioningStateReader.Read(StatePath).State.History;
            Assert.Equal(3, history.Count);
            Assert.All(history, r => Assert.Equal(0L, r.Movers));
            Assert.True(history[^1].CompletedAt > DateTimeOffset.UtcNow.AddHours(-1));

            // A state saved before the history was kept has its last run as its history, and keeps it.
            (WorkerStateTable table, System.Text.Json.Nodes.JsonObject json) = StateFile.Read(StatePath);
            json.Remove("history");
            json.Remove("historyLimit");
            StateFile.Write(StatePath, table, json);
            Assert.Single(ProvisioningStateReader.Read(StatePath).State.History);
            Day(Workers(10, title: _ => "Clerk"));
            history = ProvisioningStateReader.Read(StatePath).State.History;
            Assert.Equal(new[] { 0L, 3L }, history.Select(r => r.Movers));
        }

        [Fact]
        public void AStrayWhitespaceInAnExternalIdIsTheSameWorkerAndSaysSo()
        {
            Day(Workers(5));
            var (run, summary) = Day(Workers(5, id: i => i == 2 ? " W2 " : $"W{i}"));
            Assert.Empty(run.Requests);
            Assert.Equal(5, summary.Unchanged);
            ConversionDiagnostic warning = Assert.Single(run.Diagnostics, d => d.ErrorId == "ExternalIdTrimmed");
            Assert.Equal(2, warning.RecordNumber);
            Assert.Contains("' W2 '", warning.Message);
            Assert.Equal(WorkerKey.Of("W2"), WorkerKey.Of(" w2\t"));
            Assert.Equal("W2", WorkerKey.Normalize("\u200BW2\uFEFF\u2060"));
            Assert.Equal("W\u200B2", WorkerKey.Normalize("W\u200B2"));

            // An invisible character pasted at the end is the same worker too.
            (run, summary) = Day(Workers(5, id: i => i == 3 ? "W3\u200B" : $"W{i}"));
            Assert.Empty(run.Requests);
            Assert.Contains(run.Diagnostics, d => d.ErrorId == "ExternalIdTrimmed" && d.RecordNumber == 3);
        }

        [Fact]
        public void AnEmptyInputWithAStateIsAHundredPercentLeaverRunThatSaysSo()
        {
            Day(Workers(20));
            using RunState state = RunState.Acquire(StatePath, Guid.NewGuid());
            using var converter = new BulkRequestConverter(Mapping(), new ConversionOptions(), state, _ => { });
            Assert.True(converter.WantsIndex);
            var error = Assert.Throws<TooManyLeaversException>(() => converter.EndIndex());
            Assert.Contains("The input has no records", error.Message);
            Assert.Contains("20 of the 20 active workers", error.Message);
            Assert.Contains("(100 %)", error.Message);

            using var stateless = new BulkRequestConverter(Mapping(), null, _ => { });
            stateless.EndIndex();
            Assert.Empty(stateless.CompleteAndTakeAll());
        }

        [Fact]
        public void MoversThatComeFromAMappingChangeAreCountedAndTheQuotaIsMeasured()
        {
            Day(Workers(30));
            AttributeMapping changed = Mapping(MappingNode.ForColumn("nickName", "Upn"));
            var (run, summary) = Day(Workers(30, title: i => i <= 5 ? "Chef" : "Clerk"), changed, o => o.OperationsPerRequest = 2);
            Assert.Equal(30, summary.Movers);
            Assert.Equal(25, summary.MoversFromMappingChange);
            Assert.True(summary.MappingChanged);
            Assert.Equal(15, summary.Requests);
            Assert.Equal(2000, summary.DailyRequestLimit);
            Assert.Equal(1, summary.DaysNeeded);
            Assert.Contains(run.Diagnostics, d => d.ErrorId == "MoversFromMappingChange" && d.Message.Contains("25 of the 30 movers", StringComparison.Ordinal));

            // The next run has the same mapping: no change, nothing to say.
            var (settled, again) = Day(Workers(30, title: i => i <= 5 ? "Chef" : "Clerk"), changed);
            Assert.Empty(settled.Requests);
            Assert.False(again.MappingChanged);
            Assert.Empty(settled.Diagnostics);

            // A plan bigger than the daily limit the last send used says how many days it needs.
            using (RunState state = RunState.Acquire(StatePath, Guid.NewGuid()))
            {
                state.DailyRequestLimit = 4;
                state.Commit();
            }

            var (big, plan) = Day(Workers(30, title: _ => "Sous-chef"), changed, o => o.OperationsPerRequest = 3);
            Assert.Equal(10, plan.Requests);
            Assert.Equal(3, plan.DaysNeeded);
            Assert.Contains(big.Diagnostics, d => d.ErrorId == "DailyRequestLimitExceeded" && d.Message.Contains("3 days", StringComparison.Ordinal));
        }

        [Fact]
        public void TheMappingsOrderOfKeysDoesNotChangeTheRecord()
        {
            MappingNode[] nodes =
            {
                MappingNode.ForColumn("externalId", "Id"), MappingNode.ForColumn("userName", "Upn"), MappingNode.ForConstant("active", true),
                MappingNode.ForColumn("zeta", "T"), MappingNode.ForColumn("alpha", "Upn"), MappingNode.ForColumn("title", "T"),
                MappingNode.ForComplex("urn:ietf:params:scim:schemas:extension:contoso:1.0:User", new[] { MappingNode.ForColumn("Bravo", "T"), MappingNode.ForColumn("Alpha", "Id") }),
                MappingNode.ForComplex("urn:ietf:params:scim:schemas:extension:acme:1.0:User", new[] { MappingNode.ForColumn("Code", "Id") }),
            };
            string Json(IEnumerable<MappingNode> order) => Convert(new AttributeMapping(order), Workers(1)).Requests.Single().Json;
            string forward = Json(nodes);
            Assert.Equal(forward, Json(nodes.Reverse()));
            Assert.Equal(forward, Json(nodes.OrderBy(n => n.Name.Length)));
        }

        [Fact]
        public void AStateOfTheFirstFormatIsReadWholeAndSavedInTheNewOne()
        {
            // Written as the first format did: flags, hash, acceptedAt, externalId, userName.
            byte[] body;
            using (var memory = new MemoryStream())
            {
                using (var deflate = new System.IO.Compression.DeflateStream(memory, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
                using (var writer = new BinaryWriter(deflate, Encoding.UTF8))
                {
                    writer.Write((byte)1); // active
                    writer.Write(0x1234UL);
                    writer.Write(1_700_000_000L);
                    writer.Write("A1");
                    writer.Write("a1@contoso.com");
                    writer.Write((byte)(2 | 4)); // retry, left
                    writer.Write(0x5678UL);
                    writer.Write(1_700_000_100L);
                    writer.Write("B2");
                    writer.Write("b2@contoso.com");
                }

                body = memory.ToArray();
            }

            byte[] header = Encoding.UTF8.GetBytes("{\"createdAt\":\"2026-11-01T00:00:00Z\",\"jobId\":\"job-1\",\"servicePrincipalId\":\"sp-1\",\"savedAt\":\"2026-11-02T00:00:00Z\",\"format\":1,\"workers\":2}");
            using (var file = new FileStream(StatePath, FileMode.Create))
            {
                using var all = new MemoryStream();
                all.Write(Encoding.ASCII.GetBytes("EIPSTATE"));
                all.Write(BitConverter.GetBytes((ushort)1));
                all.Write(BitConverter.GetBytes(header.Length));
                all.Write(header);
                all.Write(body);
                byte[] content = all.ToArray();
                file.Write(content);
                file.Write(System.Security.Cryptography.SHA256.HashData(content));
            }

            (ProvisioningStateInfo info, var workers) = ProvisioningStateReader.Read(StatePath);
            Assert.Equal(2, info.Workers);
            Assert.Equal(1, info.ActiveWorkers);
            Assert.Equal(1, info.PendingRetries);
            Assert.Equal(1, info.DisablesPending);
            Assert.Equal("job-1", info.JobId);
            WorkerStateInfo b2 = workers(new[] { "b2" }).Single();
            Assert.Equal(("B2", "b2@contoso.com", "0000000000005678"), (b2.ExternalId, b2.UserName, b2.RecordHash));

            using (RunState state = RunState.Acquire(StatePath, Guid.NewGuid()))
            {
                state.RecordOutcome("B2", failed: true, DateTimeOffset.UtcNow, "X: y");
                state.Commit();
            }

            (ProvisioningStateInfo upgraded, var after) = ProvisioningStateReader.Read(StatePath);
            Assert.Equal(2, upgraded.Workers);
            Assert.Equal("X: y", after(new[] { "B2" }).Single().LastError);
            Assert.Equal(2, JsonDocument.Parse(ReadHeader(StatePath)).RootElement.GetProperty("format").GetInt32());
        }

        [Fact]
        public void ARunThatDiedBeforeSavingIsTheLastRunAsItsJournalTellsIt()
        {
            Day(Workers(4));
            using (RunState died = RunState.Acquire(StatePath, Guid.NewGuid()))
            {
                using var converter = new BulkRequestConverter(Mapping(), new ConversionOptions { OperationsPerRequest = 2 }, died, _ => { });
                int call = 0;
                foreach (BulkRequest request in converter.ConvertAll(() => Workers(4, title: _ => "Chef")))
                {
                    died.RecordCallStarting(++call);
                    died.RecordAccepted(request, DateTimeOffset.UtcNow);
                }

                // Three more calls were in flight when the process was killed: never accepted, but made.
                died.RecordCallStarting(5);
                died.RecordCallStarting(3);
                died.RecordCallStarting(4);
            }

            RunRecord recovered = ProvisioningStateReader.Read(StatePath).State.LastRun!;
            Assert.True(recovered.Recovered);
            Assert.Equal((2, 4L, 5), (recovered.Accepted, recovered.AcceptedRecords, recovered.Calls));
            using RunState next = RunState.Acquire(StatePath, Guid.NewGuid());
            Assert.True(next.LastRun!.Recovered);
            Assert.Equal(4, next.ReplayedFromJournal);
            next.Commit();
            Assert.True(ProvisioningStateReader.Read(StatePath).State.LastRun!.Recovered, "saved without a run of its own, the interrupted run stays the last one");
        }

        [Fact]
        public void ARunKilledWithCallsInFlightAndNothingAcceptedStillCountsThemAgainstTheDailyLimit()
        {
            Day(Workers(4));
            using (RunState died = RunState.Acquire(StatePath, Guid.NewGuid()))
            {
                died.RecordCallStarting(1);
                died.RecordCallStarting(2);
            }

            RunRecord recovered = ProvisioningStateReader.Read(StatePath).State.LastRun!;
            Assert.True(recovered.Recovered);
            Assert.Equal((0, 2), (recovered.Accepted, recovered.Calls));
            using RunState next = RunState.Acquire(StatePath, Guid.NewGuid());
            Assert.Equal(1 + 2, next.CallsInLast24Hours(DateTimeOffset.UtcNow)); // the day's run, and the killed one's two calls
            Assert.Equal(0, next.ReplayedFromJournal);
        }

        [Fact]
        public void ARequestFileReadBackHasTheFactsTheConversionGaveItEvenReindented()
        {
            using RunState state = RunState.Acquire(StatePath, Guid.NewGuid());
            var run = new Run();
            using (var converter = new BulkRequestConverter(Mapping(), null, state, run.Diagnostics.Add))
            {
                run.Requests.AddRange(converter.ConvertAll(Workers(3)));
            }

            BulkRequest written = run.Requests.Single();
            string reindented = JsonSerializer.Serialize(JsonDocument.Parse(written.Json).RootElement, new JsonSerializerOptions { WriteIndented = true });
            BulkRequest read = BulkRequestReader.Parse(reindented);
            Assert.Equal(written.Facts!.Select(f => (f.ExternalId, f.UserName, f.Active, f.Left, f.Hash)), read.Facts!.Select(f => (f.ExternalId, f.UserName, f.Active, f.Left, f.Hash)));
        }

        [Fact]
        public void SourcesTakeTheRecordsTheirWhereAcceptsAndTheStateRemembersWhereEachWorkerCameFrom()
        {
            var employees = new ConversionSource(Mapping(MappingNode.ForConstant("userType", "Employee")), "employees", r => r.TryGetValue("Kind", out object? k) && (string?)k == "E");
            var contractors = new ConversionSource(Mapping(MappingNode.ForConstant("userType", "Contractor")), "contractors", r => r.TryGetValue("Kind", out object? k) && (string?)k == "C");
            IRecord[] Rows(string kindOfW2) => Enumerable.Range(1, 4).Select(i => Row(i, ("Id", $"W{i}"), ("Upn", $"w{i}@x.com"), ("T", "Clerk"), ("Kind", i == 2 ? kindOfW2 : i % 2 == 0 ? "C" : "E"))).ToArray();
            ConversionSummary Run(IRecord[] rows, Run run)
            {
                using RunState state = RunState.Acquire(StatePath, Guid.NewGuid());
                using var converter = new BulkRequestConverter(new[] { employees, contractors }, new ConversionOptions { LeaverThreshold = new LeaverThreshold("0") }, state, run.Diagnostics.Add);
                int[] both = { 0, 1 };
                foreach (IRecord record in rows)
                {
                    converter.Index(record, converter.Route(record, both));
                }

                converter.EndIndex();
                foreach (IRecord record in rows)
                {
                    converter.Add(record, converter.Route(record, both));
                }

                run.Requests.AddRange(converter.CompleteAndTakeAll());
                foreach (BulkRequest request in run.Requests)
                {
                    state.RecordAccepted(request, DateTimeOffset.UtcNow);
                }

                ConversionSummary summary = converter.Summary();
                converter.ReportPlan(summary);
                state.Commit(new RunRecord { Plan = summary });
                return summary;
            }

            var first = new Run();
            Assert.Equal(new[] { "employees", "contractors" }, Run(Rows("C"), first).Sources);
            Assert.Equal("Contractor", first.User("W2").GetProperty("userType").GetString());
            Assert.Equal("contractors", ProvisioningStateReader.Read(StatePath).Workers(new[] { "W2" }).Single().Source);

            // W2 becomes an employee: a mover, never a leaver, now of the other source.
            var moved = new Run();
            ConversionSummary summary = Run(Rows("E"), moved);
            Assert.Equal((1L, 0L), (summary.Movers, summary.Leavers));
            Assert.Equal("Employee", moved.User("W2").GetProperty("userType").GetString());
            Assert.Equal("employees", ProvisioningStateReader.Read(StatePath).Workers(new[] { "W2" }).Single().Source);

            // A record no source takes (an HR typo, a new worker type) is still in the export: its worker is not a
            // leaver, is not sent, and the run says so, naming the row.
            var orphan = new Run();
            summary = Run(Rows("X"), orphan);
            Assert.Equal((1L, 0L, 0L), (summary.RecordsInNoSource, summary.Leavers, summary.Movers));
            Assert.Empty(orphan.Requests);
            Assert.Contains(orphan.Diagnostics, d => d.ErrorId == "RecordsInNoSource" && d.Message.Contains("externalId 'W2'"));
            Assert.Equal("employees", ProvisioningStateReader.Read(StatePath).Workers(new[] { "W2" }).Single().Source);
            Assert.True(ProvisioningStateReader.Read(StatePath).Workers(new[] { "W2" }).Single().Active);

            // A Where that throws is an error naming the record and source; the worker is kept, the others go on.
            var boom = new ConversionSource(Mapping(MappingNode.ForConstant("userType", "Employee")), "employees", r => r.TryGetValue("Kind", out object? k) && (string?)k == "B" ? throw new InvalidOperationException("boom in Where") : (string?)k == "E");
            using (RunState state = RunState.Acquire(StatePath, Guid.NewGuid()))
            {
                var diagnostics = new List<ConversionDiagnostic>();
                using var converter = new BulkRequestConverter(new[] { boom, contractors }, new ConversionOptions { LeaverThreshold = new LeaverThreshold("0") }, state, diagnostics.Add);
                IRecord[] rows = Rows("B");
                rows[2] = Row(3, ("Id", "W3"), ("Upn", "w3@x.com"), ("T", "Chief"), ("Kind", "E"));
                int[] both = { 0, 1 };
                foreach (IRecord record in rows)
                {
                    converter.Index(record, converter.Route(record, both, report: false));
                }

                converter.EndIndex();
                foreach (IRecord record in rows)
                {
                    converter.Add(record, converter.Route(record, both));
                }

                List<BulkRequest> requests = converter.CompleteAndTakeAll().ToList();
                ConversionSummary failed = converter.Summary();
                ConversionDiagnostic where = Assert.Single(diagnostics, d => d.ErrorId == "WhereFailed");
                Assert.Contains("Input object 2", where.Message);
                Assert.Contains("'employees'", where.Message);
                Assert.Contains("boom in Where", where.Message);
                Assert.Equal((1L, 0L, 1L, 0L), (failed.RecordsWithErrors, failed.Leavers, failed.Movers, failed.RecordsInNoSource));
                Assert.Single(requests);
            }
        }

        [Fact]
        public void ARunOfOneSourceNamesTheSourcesItLeftOutWhenTheirWorkersWouldAllLeave()
        {
            var employees = new ConversionSource(Mapping(), "employees");
            var interns = new ConversionSource(Mapping(), "interns");
            using (RunState state = RunState.Acquire(StatePath, Guid.NewGuid()))
            {
                using var converter = new BulkRequestConverter(new[] { employees, interns }, new ConversionOptions(), state, _ => { });
                IRecord[] rows = Workers(10);
                foreach (IRecord record in rows)
                {
                    converter.Add(record, record.Number <= 7 ? 0 : 1);
                }

                foreach (BulkRequest request in converter.CompleteAndTakeAll())
                {
                    state.RecordAccepted(request, DateTimeOffset.UtcNow);
                }

                state.Commit(new RunRecord());
            }

            using RunState again = RunState.Acquire(StatePath, Guid.NewGuid());
            using var onlyEmployees = new BulkRequestConverter(new[] { employees }, new ConversionOptions(), again, _ => { });
            foreach (IRecord record in Workers(7))
            {
                onlyEmployees.Add(record, 0);
            }

            var error = Assert.Throws<TooManyLeaversException>(() => onlyEmployees.CompleteAndTakeAll().ToList());
            Assert.Contains("'interns' (3)", error.Message);
            Assert.Contains("-Source", error.Message);
        }

        private static string ReadHeader(string path)
        {
            byte[] bytes = File.ReadAllBytes(path);
            int length = BitConverter.ToInt32(bytes, 10);
            return Encoding.UTF8.GetString(bytes, 14, length);
        }
    }
}
