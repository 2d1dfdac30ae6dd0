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
        internal static ProvisioningLogEntry Entry(string cycle, int minute, string externalId, string action, string status, string? errorCode = null)
        {
            string json = JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["id"] = $"{cycle}-{externalId}-{minute}",
                ["activityDateTime"] = new DateTimeOffset(2026, 11, 22, 10, minute, 0, TimeSpan.Zero).ToString("o"),
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
        public void CollectorStopsAtTheFirstEntryOfAnOlderCycle()
        {
            var collector = new CycleCollector(2);
            Assert.False(collector.Add(new[] { Entry("c3", 30, "1", "update", "success"), Entry("c3", 29, "2", "update", "success") }));
            Assert.False(collector.Add(new[] { Entry("c2", 20, "1", "create", "success") }));
            Assert.True(collector.Add(new[] { Entry("c2", 19, "2", "create", "success"), Entry("c1", 10, "9", "create", "success"), Entry("c1", 9, "8", "create", "success") }));
            IReadOnlyList<ProvisioningCycle> cycles = collector.Cycles();
            Assert.Equal(new[] { "c3", "c2" }, cycles.Select(c => c.CycleId));
            Assert.Equal(2, cycles[1].Changes);
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
                Status = ProvisioningStatus.Failure,
                Action = ProvisioningAction.StagedDelete,
                PageSize = 100,
            };
            string url = Uri.UnescapeDataString(query.ToRelativeUrl());
            Assert.StartsWith("auditLogs/provisioning?$filter=jobId eq 'API2AAD.abc' and cycleId eq 'c''1' and sourceIdentity/id eq '1513' and activityDateTime ge 2026-11-22T00:02:03.000Z", url);
            Assert.Contains("provisioningAction eq 'stagedDelete'", url);
            Assert.Contains("provisioningStatusInfo/status eq 'failure'", url);
            Assert.EndsWith("&$orderby=activityDateTime desc&$top=100", url);
            Assert.Throws<InvalidOperationException>(() => new ProvisioningLogQuery().ToRelativeUrl());
        }

        [Fact]
        public void EntriesWithoutATimeAreRefused()
        {
            using JsonDocument document = JsonDocument.Parse("{\"id\":\"x\",\"cycleId\":\"c\"}");
            Assert.Contains("activityDateTime", Assert.Throws<FormatException>(() => ProvisioningLogEntryReader.Read(document.RootElement)).Message);
        }
    }
}
