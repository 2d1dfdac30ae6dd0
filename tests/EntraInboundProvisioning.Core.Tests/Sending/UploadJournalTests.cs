using System;
using System.IO;
using System.Linq;
using EntraInboundProvisioning.Scim;
using EntraInboundProvisioning.Sending;
using Xunit;

namespace EntraInboundProvisioning.Tests.Sending
{
    public sealed class UploadJournalTests : IDisposable
    {
        private readonly string _folder = Path.Combine(Path.GetTempPath(), "journal-tests-" + Guid.NewGuid().ToString("N"));

        private string JournalPath => Path.Combine(_folder, "nested", "run.jsonl");

        private static BulkUploadResult Accepted(int index, params string[] ids) => AcceptedAs(index, "Clerk", ids);

        private static BulkUploadResult AcceptedAs(int index, string title, params string[] ids)
            => new BulkUploadResult(Request(index, title, ids), BulkUploadStatus.Accepted, "sp-1", "API2AAD.job") { RequestId = "req-" + index, ClientRequestId = "client-" + index, AcceptedAt = DateTimeOffset.UtcNow };

        private static BulkRequest Request(int index, string title, params string[] ids)
            => new BulkRequest(index, "{\"Operations\":[" + string.Join(",", ids.Select(id => $"{{\"data\":{{\"externalId\":\"{id}\",\"title\":\"{title}\"}}}}")) + "]}", ids);

        [Fact]
        public void ARequestIsKnownByItsContentAfterReopening()
        {
            BulkRequest first = Request(1, "Clerk", "1001", "1002");
            using (UploadJournal journal = UploadJournal.Open(JournalPath, out int unreadable))
            {
                Assert.Equal(0, unreadable);
                journal.Record(AcceptedAs(1, "Clerk", "1001", "1002"));
                Assert.True(journal.WasAccepted("API2AAD.job", first.Json));
            }

            using UploadJournal reopened = UploadJournal.Open(JournalPath, out _);
            Assert.True(reopened.WasAccepted("API2AAD.job", first.Json));
            Assert.False(reopened.WasAccepted("API2AAD.job", Request(1, "Chef", "1001", "1002").Json), "the same workers with other data are another request");
            Assert.False(reopened.WasAccepted("API2AAD.job", Request(1, "Clerk", "1001").Json));
            Assert.False(reopened.WasAccepted("API2AAD.other", first.Json));
            Assert.False(reopened.WasAccepted("API2AAD.job", first.Json, DateTimeOffset.UtcNow.AddMinutes(1)), "an acceptance before the given moment does not count");
            Assert.True(reopened.WasAccepted("API2AAD.job", first.Json, DateTimeOffset.UtcNow.AddMinutes(-1)));
            Assert.Equal(1, reopened.AcceptedInLast24Hours);
        }

        [Fact]
        public void EachAcceptedRequestIsOnDiskBeforeTheJournalCloses()
        {
            using UploadJournal journal = UploadJournal.Open(JournalPath, out _);
            journal.Record(Accepted(1, "1001"));
            journal.Record(Accepted(2, "1002"));
            Assert.Equal(new[] { "1001", "1002" }, UploadJournal.ReadExternalIds(JournalPath));
        }

        [Fact]
        public void ALineCutShortByACrashIsSkippedAndTheNextEntryStartsOnItsOwnLine()
        {
            // A line of a journal written before requests were known by content: it counts, but matches no content.
            Directory.CreateDirectory(Path.GetDirectoryName(JournalPath)!);
            File.WriteAllText(JournalPath, "{\"acceptedAt\":\"2026-11-22T10:00:00Z\",\"jobId\":\"API2AAD.job\",\"externalIds\":[\"1\"]}\n{\"acceptedAt\":\"2026-11-2");
            using (UploadJournal journal = UploadJournal.Open(JournalPath, out int unreadable))
            {
                Assert.Equal(1, unreadable);
                Assert.False(journal.WasAccepted("API2AAD.job", Request(1, "Clerk", "1").Json));
                journal.Record(Accepted(2, "2"));
            }

            using UploadJournal reopened = UploadJournal.Open(JournalPath, out int stillUnreadable);
            Assert.Equal(1, stillUnreadable);
            Assert.True(reopened.WasAccepted("API2AAD.job", Request(2, "Clerk", "2").Json));
            Assert.Equal(new[] { "1", "2" }, UploadJournal.ReadExternalIds(JournalPath));
        }

        [Fact]
        public void OnlyTheLast24HoursCountTowardsTheDailyQuota()
        {
            Directory.CreateDirectory(Path.GetDirectoryName(JournalPath)!);
            string old = DateTimeOffset.UtcNow.AddDays(-2).ToString("o");
            string recent = DateTimeOffset.UtcNow.AddHours(-1).ToString("o");
            File.WriteAllLines(JournalPath, new[]
            {
                $"{{\"acceptedAt\":\"{old}\",\"jobId\":\"j\",\"externalIds\":[\"1\"]}}",
                $"{{\"acceptedAt\":\"{recent}\",\"jobId\":\"j\",\"externalIds\":[\"2\"]}}",
                $"{{\"acceptedAt\":\"{recent}\",\"jobId\":\"j\",\"externalIds\":[\"3\"]}}",
            });
            using UploadJournal journal = UploadJournal.Open(JournalPath, out _);
            Assert.Equal(2, journal.AcceptedInLast24Hours);
        }

        [Fact]
        public void TheJournalHoldsIdsAndRequestIdsButNoToken()
        {
            using (UploadJournal journal = UploadJournal.Open(JournalPath, out _))
            {
                journal.Record(Accepted(7, "1001"));
            }

            string line = File.ReadAllLines(JournalPath).Single();
            Assert.Contains("\"requestId\":\"req-7\"", line, StringComparison.Ordinal);
            Assert.Contains("\"clientRequestId\":\"client-7\"", line, StringComparison.Ordinal);
            Assert.Contains("\"content\":\"" + UploadJournal.ContentKey(Request(7, "Clerk", "1001").Json) + "\"", line, StringComparison.Ordinal);
            Assert.DoesNotContain("Bearer", line, StringComparison.OrdinalIgnoreCase);
        }

        public void Dispose()
        {
            if (Directory.Exists(_folder))
            {
                Directory.Delete(_folder, recursive: true);
            }
        }
    }
}
