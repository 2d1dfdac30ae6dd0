using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using EntraInboundProvisioning.Logs;
using Xunit;

namespace EntraInboundProvisioning.Tests.Logs
{
    public class ProvisioningLogTests
    {
        internal static ProvisioningLogEntry Entry(string cycle, int minute, string externalId, string action, string status, string? errorCode = null, int second = 0)
        {
            string json = JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["id"] = $"{cycle}-{externalId}-{minute}-{second}",
                ["activityDateTime"] = new DateTimeOffset(2026, 11, 22, 10, minute, second, TimeSpan.Zero).ToString("o"),
                ["cycleId"] = cycle,
                ["changeId"] = $"change-{externalId}",
                ["jobId"] = "API2AAD.job",
                ["provisioningAction"] = action,
                ["durationInMilliseconds"] = 120,
                ["sourceIdentity"] = new Dictionary<string, object?> { ["id"] = externalId, ["displayName"] = $"Worker {externalId}" },
                ["targetIdentity"] = new Dictionary<string, object?> { ["id"] = $"obj-{externalId}", ["displayName"] = $"Worker {externalId}" },
                ["provisioningStatusInfo"] = new Dictionary<string, object?>
                {
                    ["status"] = status,
                    ["errorInformation"] = errorCode is null ? null : new Dictionary<string, object?> { ["errorCode"] = errorCode, ["reason"] = "bad upn", ["recommendedAction"] = "fix it" },
                },
                ["modifiedProperties"] = new[] { new Dictionary<string, object?> { ["displayName"] = "jobTitle", ["oldValue"] = "A", ["newValue"] = "B" } },
            });
            using JsonDocument document = JsonDocument.Parse(json);
            return ProvisioningLogEntryReader.Read(document.RootElement);
        }

        [Fact]
        public void ReadsTheDocumentedFields()
        {
            ProvisioningLogEntry entry = Entry("c1", 5, "1513", "create", "failure", "AzureActiveDirectoryInvalidUserPrincipalName");
            Assert.Equal("1513", entry.ExternalId);
            Assert.Equal("obj-1513", entry.TargetId);
            Assert.Equal("create", entry.Action);
            Assert.Equal("failure", entry.Status);
            Assert.Equal("AzureActiveDirectoryInvalidUserPrincipalName", entry.ErrorCode);
            Assert.Equal("fix it", entry.RecommendedAction);
            Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 5, 0, TimeSpan.Zero), entry.ActivityDateTime);
            ModifiedProperty property = Assert.Single(entry.ModifiedProperties);
            Assert.Equal(("jobTitle", "A", "B"), (property.Name, property.OldValue, property.NewValue));
            Assert.Contains("\"cycleId\":\"c1\"", entry.RawJson);
        }

        [Fact]
        public void CycleStatisticsCountActionsByStatus()
        {
            var entries = new[]
            {
                Entry("c1", 9, "1", "create", "success"),
                Entry("c1", 8, "2", "create", "failure", "X"),
                Entry("c1", 7, "3", "update", "success"),
                Entry("c1", 6, "3", "update", "skipped"),
                Entry("c1", 5, "4", "disable", "success"),
                Entry("c1", 4, "5", "other", "warning"),
                Entry("c1", 3, "6", "stagedDelete", "success"),
            };
            var cycle = new ProvisioningCycle("c1", entries);
            Assert.Equal(7, cycle.Changes);
            Assert.Equal(6, cycle.Users);
            Assert.Equal(1, cycle.Count(ProvisioningAction.Create, ProvisioningStatus.Failure));
            Assert.Equal(1, cycle.Count(ProvisioningAction.StagedDelete, ProvisioningStatus.Success));
            Assert.Equal(4, cycle.Succeeded);
            Assert.Equal(1, cycle.Failed);
            Assert.Equal(1, cycle.Skipped);
            Assert.Equal(1, cycle.Warnings);
            Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 3, 0, TimeSpan.Zero), cycle.Start);
            Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 9, 0, TimeSpan.Zero), cycle.End);
            Assert.Equal(6, cycle.Statistics().Count);
            Assert.Equal(2, cycle.Statistics().Single(r => r.Action == ProvisioningAction.Update).Success + cycle.Statistics().Single(r => r.Action == ProvisioningAction.Update).Skipped);
        }

        [Fact]
        public void WindowClosesAtTheFirstEntryOfAnOlderCycle()
        {
            var window = new CycleWindow(2);
            Assert.True(window.Admit(Entry("c3", 30, "1", "update", "success")));
            Assert.True(window.Admit(Entry("c3", 29, "2", "update", "success")));
            Assert.True(window.Admit(Entry("c2", 20, "1", "create", "success")));
            Assert.True(window.Admit(Entry("c2", 19, "2", "create", "success")));
            Assert.False(window.IsClosed);
            Assert.False(window.Admit(Entry("c1", 10, "9", "create", "success")));
            Assert.True(window.IsClosed);
            Assert.False(window.Admit(Entry("c2", 9, "3", "create", "success")), "nothing is admitted once the window closed");
            Assert.Equal(new[] { "c3", "c2" }, window.Cycles);
        }

        [Fact]
        public void TallyCountsACycleWithoutHoldingItsEntries()
        {
            var tally = new CycleTally("c1");
            foreach (ProvisioningLogEntry entry in new[]
            {
                Entry("c1", 9, "1", "create", "success"),
                Entry("c1", 8, "2", "create", "failure", "X"),
                Entry("c1", 7, "3", "update", "success"),
                Entry("c1", 6, "3", "update", "skipped"),
            })
            {
                tally.Add(entry);
            }

            ProvisioningCycle cycle = tally.ToCycle();
            var built = new ProvisioningCycle("c1", new[] { Entry("c1", 9, "1", "create", "success"), Entry("c1", 8, "2", "create", "failure", "X"), Entry("c1", 7, "3", "update", "success"), Entry("c1", 6, "3", "update", "skipped") });
            Assert.Equal((built.Changes, built.Users, built.Start, built.End, built.Succeeded, built.Failed, built.Skipped), (cycle.Changes, cycle.Users, cycle.Start, cycle.End, cycle.Succeeded, cycle.Failed, cycle.Skipped));
            Assert.Equal(built.Count(ProvisioningAction.Update, ProvisioningStatus.Skipped), cycle.Count(ProvisioningAction.Update, ProvisioningStatus.Skipped));
            Assert.Equal("API2AAD.job", cycle.JobId);
            Assert.Empty(cycle.Entries);
            Assert.Throws<ArgumentException>(() => tally.Add(Entry("c2", 5, "4", "create", "success")));
            Assert.Throws<InvalidOperationException>(() => new CycleTally("c9").ToCycle());
        }

        [Fact]
        public void QueryBuildsTheDocumentedFilter()
        {
            var query = new ProvisioningLogQuery
            {
                JobId = "API2AAD.abc",
                CycleId = "c'1",
                ExternalId = "1513",
                Since = new DateTimeOffset(2026, 11, 22, 1, 2, 3, TimeSpan.FromHours(1)),
                Until = new DateTimeOffset(2026, 11, 22, 1, 5, 0, TimeSpan.FromHours(1)),
                Status = ProvisioningStatus.Failure,
                Action = ProvisioningAction.StagedDelete,
                PageSize = 100,
            };
            string url = Uri.UnescapeDataString(query.ToRelativeUrl());

            // activityDateTime documents eq, gt and lt only: the inclusive bounds go out a millisecond wide.
            Assert.StartsWith("auditLogs/provisioning?$filter=jobId eq 'API2AAD.abc' and cycleId eq 'c''1' and sourceIdentity/id eq '1513' and activityDateTime gt 2026-11-22T00:02:02.999Z and activityDateTime lt 2026-11-22T00:05:00.001Z", url);
            Assert.DoesNotContain(" ge ", url);
            Assert.DoesNotContain(" le ", url);
            Assert.Contains("provisioningAction eq 'stagedDelete'", url);
            Assert.Contains("provisioningStatusInfo/status eq 'failure'", url);
            Assert.EndsWith("&$orderby=activityDateTime desc&$top=100", url);
            Assert.EndsWith("&$orderby=activityDateTime asc&$top=1000", Uri.UnescapeDataString(new ProvisioningLogQuery { JobId = "j", Ascending = true }.ToRelativeUrl()));
            Assert.Throws<InvalidOperationException>(() => new ProvisioningLogQuery().ToRelativeUrl());
        }

        [Fact]
        public void QueryNarrowsTheWideTimeBoundsToTheInclusiveOnes()
        {
            var query = new ProvisioningLogQuery { JobId = "j", Since = new DateTimeOffset(2026, 11, 22, 10, 5, 0, TimeSpan.Zero), Until = new DateTimeOffset(2026, 11, 22, 10, 7, 0, TimeSpan.Zero) };
            Assert.True(query.Contains(Entry("c", 5, "1", "create", "success")), "at Since");
            Assert.True(query.Contains(Entry("c", 7, "1", "create", "success")), "at Until");
            Assert.False(query.Contains(Entry("c", 4, "1", "create", "success")));
            Assert.False(query.Contains(Entry("c", 8, "1", "create", "success")));
        }

        [Fact]
        public void ManyRecordsAreSplitIntoOrGroupsThatFitTheUrlBudget()
        {
            string[] ids = Enumerable.Range(0, 1000).Select(i => $"E{i:D6}").ToArray();
            var query = new ProvisioningLogQuery { JobId = "API2AAD." + new string('a', 32) + "." + Guid.NewGuid(), ExternalIds = ids, CycleId = Guid.NewGuid().ToString() };
            IReadOnlyList<ProvisioningLogQuery> groups = query.Split();
            Assert.True(groups.Count > 1);
            Assert.True(groups.Count < 50, $"{groups.Count} groups for 1,000 records");
            Assert.Equal(ids, groups.SelectMany(g => g.ExternalIds));
            foreach (ProvisioningLogQuery group in groups)
            {
                string url = group.ToRelativeUrl();
                Assert.True(url.Length + 64 <= ProvisioningLogQuery.UrlBudget, $"{url.Length} characters");
                string filter = Uri.UnescapeDataString(url);
                Assert.Contains("(sourceIdentity/id eq '" + group.ExternalIds[0] + "' or sourceIdentity/id eq '", filter);
                Assert.Contains($"cycleId eq '{query.CycleId}'", filter);
            }

            Assert.Single(new ProvisioningLogQuery { JobId = "j", ExternalIds = new[] { "a", "b", "c" } }.Split());
            Assert.Single(new ProvisioningLogQuery { JobId = "j" }.Split());
        }

        [Fact]
        public void EntriesKeepTheirRawJsonOnlyWhenAskedAndNameAnUnresolvedManager()
        {
            const string json = "{\"id\":\"x\",\"cycleId\":\"c\",\"activityDateTime\":\"2026-11-22T10:00:00Z\",\"sourceIdentity\":{\"id\":\"E1\"},\"provisioningStatusInfo\":{\"status\":\"success\"},"
                + "\"provisioningSteps\":[{\"name\":\"EntryImport\",\"details\":{}},{\"name\":\"EntrySynchronizationSkip\",\"details\":{\"M1\":\"manager Add\",\"PropertyName\":\"manager\",\"SkipReason\":\"UnableToResolveReferenceAttributeValue\"}}]}";
            using JsonDocument document = JsonDocument.Parse(json);
            ProvisioningLogEntry lean = ProvisioningLogEntryReader.Read(document.RootElement, keepRawJson: false);
            Assert.Equal(string.Empty, lean.RawJson);
            Assert.Equal("manager", lean.UnresolvedReference);
            Assert.Equal(json, ProvisioningLogEntryReader.Read(document.RootElement, keepRawJson: true).RawJson);
            Assert.Null(Entry("c", 1, "E2", "create", "success").UnresolvedReference);
        }

        [Fact]
        public void WatchReadsOnlyWhatIsNewAndTakesEachRecordsFirstOutcomeAfterItsUpload()
        {
            DateTimeOffset since = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
            var watch = new OutcomeWatch("job", new Dictionary<string, DateTimeOffset> { ["1"] = since.AddMinutes(3), ["2"] = DateTimeOffset.MinValue, ["3"] = DateTimeOffset.MinValue }, since, TimeSpan.FromMinutes(2));
            ProvisioningLogQuery first = watch.NextQuery();
            Assert.True(first.Ascending);
            Assert.Equal(since, first.Since);
            Assert.Equal("job", first.JobId);

            Assert.False(watch.Offer(Entry("c1", 1, "1", "create", "failure", "X")), "an entry older than the record's upload (less a minute, the clocks' offset unknown) is not its outcome");
            Assert.True(watch.Offer(Entry("c1", 4, "1", "update", "success")));
            Assert.False(watch.Offer(Entry("c2", 6, "1", "update", "success")), "one outcome per record and cycle");
            Assert.True(watch.Offer(Entry("c1", 10, "2", "create", "success")));
            Assert.Equal(2, watch.Found);
            Assert.Equal(new[] { "3" }, watch.Missing);

            // The next read starts at the newest entry seen less the overlap; what it meets again is known by id.
            Assert.Equal(new DateTimeOffset(2026, 11, 22, 10, 8, 0, TimeSpan.Zero), watch.NextQuery().Since);
            long seen = watch.EntriesSeen;
            Assert.False(watch.Offer(Entry("c1", 10, "2", "create", "success")));
            Assert.Equal(seen, watch.EntriesSeen);
            Assert.True(watch.Offer(Entry("c2", 11, "3", "create", "success")));
            Assert.True(watch.IsComplete);
        }

        [Fact]
        public void WithTheServicesClockKnownAnEntryOfAnEarlierUploadSecondsBeforeIsNotTheOutcome()
        {
            // A cycle still running when the upload was accepted writes an entry for the worker's previous upload: with the
            // service's clock known to be 30 s ahead, an entry 5 s before the acceptance (in its time) is not the outcome.
            DateTimeOffset since = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
            TimeSpan? offset = TimeSpan.FromSeconds(30);
            DateTimeOffset acceptedHere = new DateTimeOffset(2026, 11, 22, 10, 4, 30, TimeSpan.Zero); // 10:05:00 for the service
            var watch = new OutcomeWatch("job", new Dictionary<string, DateTimeOffset> { ["1"] = acceptedHere }, since) { ServerClockOffset = () => offset };
            Assert.False(watch.Offer(Entry("c1", 4, "1", "update", "success", second: 55)));
            Assert.False(watch.Offer(Entry("c1", 4, "1", "update", "success", second: 40)), "in this machine's time it would be after the acceptance");
            Assert.True(watch.Offer(Entry("c2", 5, "1", "update", "failure", "X", second: 20)));

            // Unknown offset: a minute either way.
            offset = null;
            var loose = new OutcomeWatch("job", new Dictionary<string, DateTimeOffset> { ["1"] = acceptedHere }, since) { ServerClockOffset = () => offset };
            Assert.False(loose.Offer(Entry("c1", 3, "1", "update", "success", second: 29)));
            Assert.True(loose.Offer(Entry("c1", 3, "1", "update", "success", second: 31)));
        }

        [Fact]
        public void ASecondEntryOfTheRecordInTheSameCycleIsAnOutcomeTooAndTheLaterStands()
        {
            // Yesterday's upload (a new title) and today's (a bad userName) both wait for one cycle: it writes a success
            // for the first and a failure for the second. Both are outcomes, in order; an entry of a later cycle is not.
            DateTimeOffset since = new DateTimeOffset(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);
            var watch = new OutcomeWatch("job", new Dictionary<string, DateTimeOffset> { ["1"] = since.AddMinutes(2), ["2"] = since.AddMinutes(2) }, since);
            Assert.True(watch.Offer(Entry("c1", 5, "1", "update", "success")));
            Assert.True(watch.Offer(Entry("c1", 6, "1", "update", "failure", "AzureActiveDirectoryInvalidUserPrincipalName")));
            Assert.True(watch.Offer(Entry("c1", 7, "2", "update", "success")));
            Assert.True(watch.IsComplete);
            Assert.False(watch.Offer(Entry("c2", 50, "1", "update", "success")), "a later cycle answers a later upload");
        }

        [Fact]
        public void EntriesWithoutATimeAreRefused()
        {
            using JsonDocument document = JsonDocument.Parse("{\"id\":\"x\",\"cycleId\":\"c\"}");
            Assert.Contains("activityDateTime", Assert.Throws<FormatException>(() => ProvisioningLogEntryReader.Read(document.RootElement)).Message);
        }
    }
}
