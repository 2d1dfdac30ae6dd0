using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Reports;
using EntraInboundProvisioning.Scim;
using EntraInboundProvisioning.Sources;
using EntraInboundProvisioning.State;
using Xunit;
using static EntraInboundProvisioning.Tests.Scim.BulkRequestConverterTests;

namespace EntraInboundProvisioning.Tests.Reports
{
    /// <summary>The run report: its figures against the state, its escaping of hostile HR values, its edge cases.</summary>
    public sealed class ReportPageTests : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("eip-report-").FullName;
        private DateTimeOffset _clock = new DateTimeOffset(2026, 11, 1, 6, 0, 0, TimeSpan.Zero);

        public void Dispose() => Directory.Delete(_directory, true);

        private string StatePath => Path.Combine(_directory, "contoso.state");

        /// <summary>An externalId that a right-to-left override makes read "exe.png": "gnp.exe" reversed.</summary>
        private const string Reversed = "W\u202Egnp.exe\u202C7"; // inside the id: at its ends they would be trimmed (WorkerKey.Normalize)

        private static AttributeMapping Mapping() => TestMappings.Minimal(MappingNode.ForColumn("title", "T"));

        private static IRecord[] Workers(IEnumerable<int> ids, Func<int, string>? upn = null, Func<int, string>? title = null)
            => ids.Select((i, n) => Row(n + 1, ("Id", i == 666 ? "<script>alert(1)</script>" : i == 777 ? Reversed : $"W{i}"), ("Upn", upn?.Invoke(i) ?? $"w{i}@contoso.com"), ("T", title?.Invoke(i) ?? "Clerk"))).ToArray();

        /// <summary>One daily run: converted with the state, every request accepted, committed with its times and calls.</summary>
        private ConversionSummary Day(IRecord[] records, int threshold = 100)
        {
            _clock = _clock.AddDays(1);
            using RunState state = RunState.Acquire(StatePath, Guid.NewGuid());
            var requests = new List<BulkRequest>();
            ConversionSummary summary;
            using (var converter = new BulkRequestConverter(Mapping(), new ConversionOptions { LeaverThreshold = new LeaverThreshold(threshold) }, state, _ => { }))
            {
                requests.AddRange(converter.ConvertAll(() => records));
                summary = converter.Summary();
            }

            foreach (BulkRequest request in requests)
            {
                state.RecordAccepted(request, _clock.AddMinutes(1));
            }

            state.Commit(new RunRecord { StartedAt = _clock, CompletedAt = _clock.AddMinutes(2), Plan = summary, Requests = requests.Count, Calls = requests.Count, Accepted = state.AcceptedRequests, AcceptedRecords = state.AcceptedRecords });
            return summary;
        }

        private void Failed(params (string ExternalId, string Error)[] outcomes)
        {
            using RunState state = RunState.Acquire(StatePath, Guid.NewGuid());
            foreach ((string id, string error) in outcomes)
            {
                state.RecordOutcome(id, failed: true, _clock.AddMinutes(10), error);
            }

            state.Commit();
        }

        private static EntraInboundProvisioning.Logs.ProvisioningLogEntry Entry(string externalId, string status, DateTimeOffset at, string? code = null, string? reason = null)
            => new EntraInboundProvisioning.Logs.ProvisioningLogEntry { ExternalId = externalId, Status = status, ActivityDateTime = at, ErrorCode = code, Reason = reason, Action = "update" };

        private string Page(ProvisioningReport report)
        {
            using var text = new StringWriter();
            ReportPage.Write(report, text);
            return text.ToString();
        }

        [Fact]
        public void HostileHRValuesAreShownAsTextAndThePageLoadsNothing()
        {
            Day(Workers(Enumerable.Range(1, 10).Append(666).Append(777)));
            Day(Workers(Enumerable.Range(1, 10).Append(666).Append(777), upn: i => i == 666 ? "\"><img src=x onerror=alert(2)>@contoso.com" : i == 777 ? "\u2067admin\u2069@contoso.com" : $"w{i}@contoso.com", title: i => i is 666 or 777 ? "Chief" : "Clerk"));
            Failed(("<script>alert(1)</script>", "AzureActiveDirectoryInvalidUserPrincipalName: '\"><img src=x onerror=alert(2)>' </td></table><script>x()</script>"), (Reversed, "\u202BDuplicate\u202C: taken"));

            ProvisioningReport report = ProvisioningReport.Read(StatePath);
            report.Title = "<b>Contoso</b> & \"HR\" \u202Enoc.exe";
            string html = Page(report);

            // Controls that reorder text are shown, not obeyed: nothing in the page can read as something else.
            Assert.DoesNotMatch(new Regex("[\u202A-\u202E\u2066-\u2069]"), html);
            Assert.Contains("<code>W[U+202E]gnp.exe[U+202C]7</code>", html, StringComparison.Ordinal);
            Assert.Contains("[U+2067]admin[U+2069]@contoso.com", html, StringComparison.Ordinal);
            Assert.DoesNotMatch(new Regex("[\u202A-\u202E\u2066-\u2069]"), ReportSummary.Write(report));

            Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("<b>Contoso", html, StringComparison.Ordinal);
            Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
            Assert.Contains("&quot;&gt;&lt;img src=x onerror=alert(2)&gt;", html, StringComparison.Ordinal);
            Assert.Contains("&lt;b&gt;Contoso&lt;/b&gt; &amp; &quot;HR&quot; [U+202E]noc.exe", html, StringComparison.Ordinal);

            // Nothing to fetch, no script, and a policy that forbids both.
            Assert.DoesNotMatch(new Regex(@"<[a-z][^>]*\s(src|href)\s*=", RegexOptions.IgnoreCase), html);
            Assert.DoesNotContain("url(", html, StringComparison.OrdinalIgnoreCase);
            Assert.Contains("default-src 'none'", html, StringComparison.Ordinal);

            // The page parses as markup (every element closed) once the doctype and the void meta tags are set aside.
            string body = Regex.Replace(html.Substring(html.IndexOf("<html", StringComparison.Ordinal)), "<meta [^>]*>", string.Empty);
            XDocument.Parse(body);

            // The Markdown summary cannot carry markup or links either.
            string markdown = ReportSummary.Write(report);
            Assert.DoesNotContain("<b>", markdown, StringComparison.Ordinal);
            Assert.Contains("\\<b\\>Contoso\\</b\\>", markdown, StringComparison.Ordinal);
        }

        [Fact]
        public void TheFiguresAreTheStatesAndAnUnusualDayIsFlagged()
        {
            var everyone = Enumerable.Range(1, 200).ToList();
            Day(Workers(everyone));
            for (int day = 0; day < 6; day++)
            {
                // A usual day: one leaver, two movers.
                everyone.Remove(everyone[0]);
                Day(Workers(everyone, title: i => i % 50 == day ? "Chief" : "Clerk"));
            }

            // Today: 12 leave, 3 of them the same day their last change failed; 5 others fail in the cycle.
            List<int> leaving = everyone.Take(12).ToList();
            everyone = everyone.Skip(12).ToList();
            ConversionSummary today = Day(Workers(everyone));
            Failed(everyone.Take(4).Select(i => ($"W{i}", "AzureActiveDirectoryInvalidUserPrincipalName: bad")).Append(($"W{everyone[4]}", "InvalidDateTimeFormat: Not a date")).ToArray());

            ProvisioningReport report = ProvisioningReport.Read(StatePath);
            Assert.Equal(8, report.History.Count);
            Headline leavers = report.Headlines.Single(h => h.Name == "Leavers");
            Assert.Equal(12, leavers.Value);
            Assert.Equal(1, leavers.Median);
            Assert.True(leavers.Unusual);
            Assert.Equal("12.0× the 30-run median (1)", leavers.Comparison);
            Assert.False(report.Headlines.Single(h => h.Name == "Joiners").Unusual);

            Assert.Equal(12, report.LeaverCount);
            Assert.Equal(leaving.Select(i => $"W{i}").OrderBy(s => s, StringComparer.OrdinalIgnoreCase), report.Leavers.Select(l => l.ExternalId));
            Assert.Equal(("100", 100), (report.LeaverThreshold, report.LeaversAllowed));

            Assert.Equal(new[] { ("AzureActiveDirectoryInvalidUserPrincipalName", 4L), ("InvalidDateTimeFormat", 1L) }, report.Failures.Select(f => (f.Code, f.Count)));
            Assert.NotNull(report.Failures[0].Cause);
            Assert.Equal(5, report.FailedWorkers);
            Assert.Equal(today.Leavers, report.LastRun!.Leavers);

            string html = Page(report);
            Assert.Contains("Unusual:", html, StringComparison.Ordinal);
            Assert.Contains(System.Net.WebUtility.HtmlEncode("leavers 12, 12.0× the 30-run median (1)"), html, StringComparison.Ordinal);
            Assert.Contains("4 worker(s)", html, StringComparison.Ordinal);
            Assert.Contains("12 worker(s) disabled", html, StringComparison.Ordinal);
            Assert.Equal(1, Regex.Count(html, @"<rect [^>]*><title>[^<]*: 200 joiners</title>"));
            Assert.Equal(7, Regex.Count(html, @"<rect [^>]*><title>[^<]*: [0-9,]+ leavers</title>"));
            Assert.Contains("W" + everyone[0], ReportSummary.Write(report) + html, StringComparison.Ordinal);
        }

        [Fact]
        public void ARecoveredRunAndARefusedRunAreToldAsWhatTheyWere()
        {
            for (int day = 0; day < 3; day++)
            {
                Day(Workers(Enumerable.Range(1, 10 + day)));
            }

            // A run killed before it saved, rebuilt from its journal: no plan, so no zeros for joiners.
            using (RunState state = RunState.Acquire(StatePath, Guid.NewGuid()))
            {
                state.Commit(new RunRecord { StartedAt = _clock.AddHours(3), CompletedAt = _clock.AddHours(3), Recovered = true, Requests = 8, Accepted = 8, AcceptedRecords = 400, Calls = 8 });
            }

            string recovered = ReportSummary.Write(ProvisioningReport.Read(StatePath));
            Assert.Contains("ended before it could save (recovered from its journal; its plan is unknown): 8 request(s) accepted (400 records)", recovered, StringComparison.Ordinal);
            Assert.DoesNotContain("0 joiner(s)", recovered, StringComparison.Ordinal);

            // A run the leaver threshold refused: said so, no headline measured on its zeros, and the medians skip it.
            using (RunState state = RunState.Acquire(StatePath, Guid.NewGuid()))
            {
                state.Commit(new RunRecord { StartedAt = _clock.AddHours(4), CompletedAt = _clock.AddHours(4), Refused = "TooManyLeavers: 9 of the 12 active workers" });
            }

            ProvisioningReport refused = ProvisioningReport.Read(StatePath);
            Assert.Empty(refused.Headlines);
            Assert.Contains("was refused; nothing was sent: TooManyLeavers: 9 of the 12 active workers", ReportSummary.Write(refused), StringComparison.Ordinal);
            Assert.Contains("The last run was refused; nothing was sent:", Page(refused), StringComparison.Ordinal);
            Day(Workers(Enumerable.Range(1, 14)));
            Headline joiners = ProvisioningReport.Read(StatePath).Headlines.Single(h => h.Name == "Joiners");
            Assert.Equal(1, joiners.Median); // the refused run is not among the runs measured against
        }

        [Fact]
        public void AStateWithoutRunsAndARunWithOnlyFailuresGiveAPageThatSaysSo()
        {
            // A state that only learned outcomes has no run on record.
            using (RunState state = RunState.Acquire(StatePath, Guid.NewGuid()))
            {
                state.Commit();
            }

            ProvisioningReport empty = ProvisioningReport.Read(StatePath);
            Assert.Null(empty.LastRun);
            Assert.Empty(empty.Headlines);
            string html = Page(empty);
            Assert.Contains("No run has been recorded in this state yet.", html, StringComparison.Ordinal);
            Assert.Contains("The charts need two runs or more on record.", html, StringComparison.Ordinal);
            Assert.Contains("No run has been recorded", ReportSummary.Write(empty), StringComparison.Ordinal);

            // One run, and every record of it failed in the cycle.
            File.Delete(StatePath);
            Day(Workers(Enumerable.Range(1, 30)));
            Failed(Enumerable.Range(1, 30).Select(i => ($"W{i}", "AzureActiveDirectoryInvalidUserPrincipalName: bad")).ToArray());
            ProvisioningReport failing = ProvisioningReport.Read(StatePath);
            Assert.Equal(30, failing.FailedWorkers);
            Assert.Equal(30, failing.LastRun!.CycleFailures);
            Assert.All(failing.Headlines, h => Assert.Null(h.Median));
            Assert.Contains("30 worker(s) whose last cycle failed", ReportSummary.Write(failing), StringComparison.Ordinal);
            Assert.Contains("<code>AzureActiveDirectoryInvalidUserPrincipalName</code> 30 worker(s)", Page(failing), StringComparison.Ordinal);
        }

        [Fact]
        public void LogEntriesAddFailuresTheStateHasNotLearnedAndSettleOnesALaterSuccessResolved()
        {
            Day(Workers(Enumerable.Range(1, 5)));
            Failed(("W1", "SomeError: old"));
            var logs = new LogDigest();
            logs.Add(Entry("W1", "success", _clock.AddMinutes(30)));
            logs.Add(Entry("W2", "failure", _clock.AddMinutes(30), "UnableToResolveReferenceAttributeValue", "no manager"));
            logs.Add(Entry("W3", "success", _clock.AddMinutes(30)));

            ProvisioningReport report = ProvisioningReport.Read(StatePath, logs);
            FailureGroup group = Assert.Single(report.Failures);
            Assert.Equal("UnableToResolveReferenceAttributeValue", group.Code);
            Assert.Equal("W2", Assert.Single(group.Workers).ExternalId);
            Assert.Equal(3, report.LogEntries);
            Assert.Equal(2, report.LogStatuses["success"]);
        }
    
        [Fact]
        public void AnOlderLogEntryNeitherSettlesALaterFailureNorRevivesAnOldOne()
        {
            // Day 1: W1 and W2 accepted, and the cycle says both succeeded (W2's failure entry comes later that day).
            Day(Workers(Enumerable.Range(1, 5)));
            DateTimeOffset day1 = _clock;
            var logs = new LogDigest();
            logs.Add(Entry("W1", "success", day1.AddMinutes(30)));
            logs.Add(Entry("W2", "failure", day1.AddMinutes(30), "UnableToResolveReferenceAttributeValue", "no manager"));

            // Day 2: W1's UPN breaks, its new record fails in the cycle; W2 changes and is accepted again, no outcome yet.
            Day(Workers(Enumerable.Range(1, 5), upn: i => i == 1 ? "not a upn" : $"w{i}@contoso.com", title: i => i == 2 ? "Chief" : "Clerk"));
            Failed(("W1", "AzureActiveDirectoryInvalidUserPrincipalName: bad"));

            // Day 1's entries, given to day 2's report, say nothing of day 2's uploads.
            ProvisioningReport report = ProvisioningReport.Read(StatePath, logs);
            FailureGroup group = Assert.Single(report.Failures);
            Assert.Equal("AzureActiveDirectoryInvalidUserPrincipalName", group.Code);
            Assert.Equal("W1", Assert.Single(group.Workers).ExternalId);

            // A success logged after W1's day-2 upload does settle it.
            logs.Add(Entry("W1", "success", _clock.AddMinutes(40)));
            Assert.Empty(ProvisioningReport.Read(StatePath, logs).Failures);
        }

        [Fact]
        public void TheLeaversConfirmedColumnTellsAConfirmedDisableFromOneNotYetKnownAndAFailedOne()
        {
            Day(Workers(Enumerable.Range(1, 10)));
            Day(Workers(Enumerable.Range(4, 7)));
            using (RunState state = RunState.Acquire(StatePath, Guid.NewGuid()))
            {
                state.RecordOutcome("W1", failed: false, _clock.AddMinutes(10));
                state.RecordOutcome("W2", failed: true, _clock.AddMinutes(10), "SomeError: refused");
                state.Commit();
            }

            ProvisioningReport report = ProvisioningReport.Read(StatePath);
            Assert.Equal(new bool?[] { true, false, null }, report.Leavers.Select(l => l.Confirmed));
            string html = Page(report);
            Assert.Contains("<td><code>W1</code></td><td>w1@contoso.com</td><td>2026-11-03 06:01 UTC</td><td>yes</td>", html, StringComparison.Ordinal);
            Assert.Contains("<td>no: SomeError: refused</td>", html, StringComparison.Ordinal);
            Assert.Contains("<td><code>W3</code></td><td>w3@contoso.com</td><td>2026-11-03 06:01 UTC</td><td>not yet known</td>", html, StringComparison.Ordinal);
        }

        [Fact]
        public void ThePerRunChartsDrawTheLatestRunsOnlySoAnyHistoryGivesAPageUnderAMegabyte()
        {
            const int runs = 20_000;
            var header = StateHeader.New();
            header.HistoryLimit = runs;
            var start = new DateTimeOffset(2020, 1, 1, 6, 0, 0, TimeSpan.Zero);
            for (int i = 0; i < runs; i++)
            {
                DateTimeOffset at = start.AddHours(i * 3);
                var plan = new ConversionSummary { StatePath = StatePath, RecordsRead = 100_000, Joiners = 1 + (i % 50), Movers = 200 + (i % 90), Leavers = 1 + (i % 7), Retries = i % 5, RecordsWithErrors = 1 + (i % 3), LeaverThreshold = "5%", LeaversInferred = true };
                header.AddRun(new RunRecord { StartedAt = at, CompletedAt = at.AddMinutes(3), Plan = plan, Requests = 6, Accepted = 6, AcceptedRecords = 300, Calls = 6, CycleFailures = 1 + (i % 4), CycleSuccesses = 290 });
            }

            header.Flush();
            StateFile.Write(StatePath, new WorkerStateTable(), header.Json);

            ProvisioningReport report = ProvisioningReport.Read(StatePath);
            Assert.Equal(runs, report.History.Count);
            string html = Page(report);
            Assert.InRange(System.Text.Encoding.UTF8.GetByteCount(html), 1, 1_000_000);
            Assert.Contains("The last 400 of 20,000 runs, from", html, StringComparison.Ordinal);
            Assert.Equal(ProvisioningReport.ChartRuns, Regex.Count(html, @"<rect [^>]*><title>[^<]*: [0-9,]+ joiners</title>"));

            // The bars are the latest runs: the newest is drawn, one 400 runs before it is not.
            Assert.Contains($"{report.History[runs - 1].StartedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC: ", html, StringComparison.Ordinal);
            Assert.DoesNotContain($"{report.History[runs - 401].StartedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC: ", html, StringComparison.Ordinal);
            Assert.True(Regex.Count(html, @"<rect [^>]*><title>[0-9-]+: [0-9,]+ call\(s\)") <= 90);
        }
    }
}
