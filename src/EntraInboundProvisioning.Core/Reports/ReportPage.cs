using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using EntraInboundProvisioning.State;

namespace EntraInboundProvisioning.Reports
{
    /// <summary>
    /// Writes a <see cref="ProvisioningReport"/> as one self-contained HTML page: inline CSS and SVG, no script, no
    /// request to anywhere (a Content-Security-Policy says so to the browser too), readable on a phone and on paper,
    /// and fit to travel as an e-mail attachment. Every value from HR data, the state or the logs is HTML-encoded.
    /// </summary>
    public static class ReportPage
    {
        private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

        // SVG fills are attributes: plain colours (the same as the style's), not CSS variables.
        private const string Joiner = "#1a7f37", Mover = "#0969da", Leaver = "#cf222e", Failure = "#9a6700", Muted = "#59636e", Line = "#d5dae0";

        private const string Style = @"
:root { color-scheme: light; --ink: #1b1f24; --muted: #59636e; --line: #d5dae0; --joiner: #1a7f37; --mover: #0969da; --leaver: #cf222e; --fail: #9a6700; --bg: #f6f8fa; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 72rem; padding: 1rem; font: 15px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; color: var(--ink); overflow-wrap: anywhere; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; }
h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
h3 { font-size: 1rem; margin: 1.25rem 0 .25rem; }
p, li { max-width: 60rem; }
.muted { color: var(--muted); }
.cards { display: flex; flex-wrap: wrap; gap: .5rem; margin: .75rem 0; }
.card { flex: 1 1 10rem; border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; background: #fff; }
.card .n { font-size: 1.6rem; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .k { color: var(--muted); font-size: .85rem; }
.card.unusual { border: 2px solid var(--leaver); background: #fff5f5; }
.card .flag { color: var(--leaver); font-weight: 600; font-size: .85rem; }
.banner { border-left: 4px solid var(--leaver); background: #fff5f5; padding: .5rem .75rem; margin: .75rem 0; }
.ok { border-left-color: var(--joiner); background: #f0fff4; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: .9rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--bg); }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font-size: .9em; background: var(--bg); padding: 0 .2em; border-radius: 3px; word-break: break-all; }
svg { display: block; width: 100%; height: auto; }
.legend span { display: inline-block; margin-right: 1rem; }
.legend i { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem; vertical-align: -1px; }
footer { margin-top: 2rem; font-size: .8rem; color: var(--muted); }
@media print { body { max-width: none; font-size: 11pt; } .card { break-inside: avoid; } tr, .chart { break-inside: avoid; } h2 { break-after: avoid; } .scroll { overflow: visible; } }
";

        /// <summary>Writes the page.</summary>
        public static void Write(ProvisioningReport report, TextWriter writer)
        {
            var page = new PageWriter(writer);
            RunRecord? last = report.LastRun;
            page.Raw("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
            page.Raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
            page.Raw("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n");
            page.Raw("<title>").Text($"Provisioning report: {report.Title}").Raw("</title>\n<style>").Raw(Style).Raw("</style>\n</head>\n<body>\n");

            page.Raw("<header><h1>").Text($"Provisioning report: {report.Title}").Raw("</h1>\n<p class=\"muted\">");
            page.Text(report.State.JobId is null ? "Not sent with yet" : $"Job {report.State.JobId} of service principal {report.State.ServicePrincipalId}");
            page.Text($" · {report.State.Workers.ToString("N0", Invariant)} workers ({report.State.ActiveWorkers.ToString("N0", Invariant)} active)");
            page.Text($" · generated {Time(report.GeneratedAt)}").Raw("</p></header>\n");

            LastRunSection(page, report, last);
            HistorySection(page, report);
            FailureSection(page, report);
            LeaverSection(page, report, last);

            page.Raw("<footer>").Text($"From the run state '{report.State.Path}', saved {(report.State.SavedAt is DateTimeOffset saved ? Time(saved) : "never")}; {report.History.Count.ToString("N0", Invariant)} run(s) on record.");
            if (report.LogEntries > 0)
            {
                page.Text($" {report.LogEntries.ToString("N0", Invariant)} provisioning log entries read.");
            }

            page.Raw(" Made by EntraInboundProvisioning (Export-ProvisioningReport).</footer>\n</body>\n</html>\n");
        }

        private static void LastRunSection(PageWriter page, ProvisioningReport report, RunRecord? last)
        {
            page.Raw("<h2>The last run</h2>\n");
            if (last is null)
            {
                page.Raw("<p>No run has been recorded in this state yet.</p>\n");
                return;
            }

            if (last.Refused is not null)
            {
                page.Raw("<div class=\"banner\"><strong>The last run was refused; nothing was sent:</strong> ").Text(last.Refused).Raw("</div>\n");
                page.Raw("<p>").Text($"Refused at {Time(last.CompletedAt)}. The workers' state is as the run before left it.").Raw("</p>\n");
                return;
            }

            page.Raw("<p>").Text($"Started {Time(last.StartedAt)}, ended {Time(last.CompletedAt)}.");
            if (last.Recovered)
            {
                page.Text(" The run ended before it could save; it is shown as its journal told it.");
            }
            else if (last.Stopped)
            {
                page.Text(" It stopped before it finished (the daily request limit, an error, or Ctrl+C): the next run sends the rest.");
            }

            page.Raw("</p>\n");
            List<Headline> unusual = report.Headlines.Where(h => h.Unusual).ToList();
            if (unusual.Count > 0)
            {
                page.Raw("<div class=\"banner\"><strong>Unusual:</strong> ").Text(string.Join("; ", unusual.Select(h => $"{Lower(h.Name)} {h.Value.ToString("N0", Invariant)}, {h.Comparison}"))).Raw(".</div>\n");
            }

            if (last.Plan is { LeaversInferred: false } plan && plan.StatePath is not null)
            {
                page.Raw("<div class=\"banner\"><strong>No leaver was inferred:</strong> ").Text(plan.LeaversNote ?? "the input was not the whole population.").Raw("</div>\n");
            }

            page.Raw("<div class=\"cards\">\n");
            foreach (Headline headline in report.Headlines)
            {
                page.Raw(headline.Unusual ? "<div class=\"card unusual\">" : "<div class=\"card\">");
                page.Raw("<div class=\"n\">").Text(headline.Value.ToString("N0", Invariant)).Raw("</div><div class=\"k\">").Text(headline.Name).Raw("</div>");
                if (headline.Comparison is string comparison)
                {
                    page.Raw("<div class=\"flag\">").Text(comparison).Raw("</div>");
                }
                else if (headline.Median is double median)
                {
                    page.Raw("<div class=\"k\">").Text($"median {median.ToString("N0", Invariant)}").Raw("</div>");
                }

                if (headline.Note is string note)
                {
                    page.Raw("<div class=\"k\">").Text(note).Raw("</div>");
                }

                page.Raw("</div>\n");
            }

            page.Raw("</div>\n<p class=\"muted\">");
            page.Text($"Now pending: {report.State.PendingRetries.ToString("N0", Invariant)} worker(s) to send again because their cycle failed, {report.State.DisablesPending.ToString("N0", Invariant)} disable(s) no cycle has confirmed, {report.State.AwaitingOutcome.ToString("N0", Invariant)} accepted record(s) whose outcome is not learned yet.");
            if (report.LogEntries > 0)
            {
                page.Text(" Provisioning log entries read for this report: " + string.Join(", ", report.LogStatuses.OrderByDescending(s => s.Value).Select(s => $"{s.Value.ToString("N0", Invariant)} {s.Key}")) + ".");
            }

            page.Raw("</p>\n");
        }

        private static void HistorySection(PageWriter page, ProvisioningReport report)
        {
            page.Raw("<h2>Runs over time</h2>\n");
            IReadOnlyList<RunRecord> history = report.History;
            if (history.Count < 2)
            {
                page.Raw("<p>The charts need two runs or more on record.</p>\n");
            }
            else
            {
                // A bar per run, for the latest runs only: the page stays small enough to mail whatever the history holds.
                IReadOnlyList<RunRecord> runs = history.Count <= ProvisioningReport.ChartRuns ? history : history.Skip(history.Count - ProvisioningReport.ChartRuns).ToList();
                string which = runs.Count == history.Count
                    ? $"{runs.Count.ToString("N0", Invariant)} runs"
                    : $"The last {runs.Count.ToString("N0", Invariant)} of {history.Count.ToString("N0", Invariant)} runs";
                page.Raw("<p class=\"muted\">").Text($"{which}, from {Day(runs[0].StartedAt)} to {Day(runs[runs.Count - 1].StartedAt)}; one bar per run, each row on its own scale (hover a bar for its run).").Raw("</p>\n");
                Bars(page, runs, "Joiners", r => r.Joiners, Joiner);
                Bars(page, runs, "Movers", r => r.Movers, Mover);
                Bars(page, runs, "Leavers", r => r.Leavers, Leaver);
                Bars(page, runs, "Failed in the cycle", r => r.CycleFailures, Failure);
                Bars(page, runs, "Records with errors", r => r.Plan?.RecordsWithErrors ?? 0, Failure);
            }

            page.Raw("<h3>Daily request quota</h3>\n");
            IReadOnlyList<DayOfCalls> days = report.Quota;
            if (days.Count == 0)
            {
                page.Raw("<p>No calls on record.</p>\n");
                return;
            }

            days = days.Skip(Math.Max(0, days.Count - 90)).ToList();
            int limit = report.DailyRequestLimit;
            int top = Math.Max(limit, days.Max(d => d.Calls));
            const int width = 800, height = 120;
            double step = (double)width / days.Count;
            page.Raw($"<div class=\"chart\"><svg viewBox=\"0 0 {width} {height + 16}\" role=\"img\" aria-label=\"Calls per day against the daily limit\">");
            for (int i = 0; i < days.Count; i++)
            {
                double h = days[i].Calls * (double)height / top;
                string fill = days[i].Calls > limit ? Leaver : Mover;
                page.Raw($"<rect x=\"{F(i * step + step * 0.1)}\" y=\"{F(height - h)}\" width=\"{F(Math.Max(1, step * 0.8))}\" height=\"{F(h)}\" fill=\"{fill}\"><title>")
                    .Text($"{Day(days[i].Day)}: {days[i].Calls.ToString("N0", Invariant)} call(s) of {limit.ToString("N0", Invariant)}").Raw("</title></rect>");
            }

            double y = height - (limit * (double)height / top);
            page.Raw($"<line x1=\"0\" x2=\"{width}\" y1=\"{F(y)}\" y2=\"{F(y)}\" stroke=\"{Leaver}\" stroke-dasharray=\"6 4\"/>");
            page.Raw($"<text x=\"4\" y=\"{F(Math.Max(12, y - 4))}\" font-size=\"12\" fill=\"{Muted}\">").Text($"daily limit {limit.ToString("N0", Invariant)}").Raw("</text>");
            page.Raw($"<text x=\"0\" y=\"{height + 14}\" font-size=\"12\" fill=\"{Muted}\">").Text(Day(days[0].Day)).Raw("</text>");
            page.Raw($"<text x=\"{width}\" y=\"{height + 14}\" font-size=\"12\" text-anchor=\"end\" fill=\"{Muted}\">").Text(Day(days[days.Count - 1].Day)).Raw("</text>");
            page.Raw("</svg></div>\n");
            DayOfCalls today = days[days.Count - 1];
            page.Raw("<p class=\"muted\">").Text($"Busiest day: {days.Max(d => d.Calls).ToString("N0", Invariant)} call(s); the last day with runs ({Day(today.Day)}) used {today.Calls.ToString("N0", Invariant)} of {limit.ToString("N0", Invariant)}.").Raw("</p>\n");
        }

        private static void Bars(PageWriter page, IReadOnlyList<RunRecord> runs, string name, Func<RunRecord, long> value, string color)
        {
            const int width = 800, height = 48;
            long top = runs.Max(value);
            double step = (double)width / runs.Count;
            page.Raw("<div class=\"chart\"><div class=\"legend\"><span><i style=\"background:").Raw(color).Raw("\"></i>").Text($"{name} (largest {top.ToString("N0", Invariant)})").Raw("</span></div>");
            page.Raw($"<svg viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"").Text($"{name} per run").Raw("\">");
            page.Raw($"<line x1=\"0\" x2=\"{width}\" y1=\"{height - 0.5}\" y2=\"{height - 0.5}\" stroke=\"{Line}\"/>");
            for (int i = 0; i < runs.Count; i++)
            {
                long v = value(runs[i]);
                if (v == 0 || top == 0)
                {
                    continue;
                }

                double h = Math.Max(1.5, v * (double)height / top);
                page.Raw($"<rect x=\"{F(i * step)}\" y=\"{F(height - h)}\" width=\"{F(Math.Max(0.8, step * 0.85))}\" height=\"{F(h)}\" fill=\"{color}\"><title>")
                    .Text($"{Time(runs[i].StartedAt)}: {v.ToString("N0", Invariant)} {name.ToLowerInvariant()}").Raw("</title></rect>");
            }

            page.Raw("</svg></div>\n");
        }

        private static void FailureSection(PageWriter page, ProvisioningReport report)
        {
            page.Raw("<h2>Failures</h2>\n");
            if (report.Failures.Count == 0)
            {
                page.Raw("<div class=\"banner ok\">").Text(report.State.AwaitingOutcome > 0 && report.LogEntries == 0
                    ? "No worker's last cycle is known to have failed. Some outcomes are not learned yet: run Get-ProvisioningCycleLog -StatePath, or pass its entries to this report."
                    : "No worker's last provisioning cycle failed.").Raw("</div>\n");
                return;
            }

            page.Raw("<p>").Text($"{report.FailedWorkers.ToString("N0", Invariant)} worker(s) whose last provisioning cycle failed, by error code. Each is sent again on the next run.").Raw("</p>\n");
            foreach (FailureGroup group in report.Failures)
            {
                page.Raw("<h3><code>").Text(group.Code).Raw("</code> ").Text($"{group.Count.ToString("N0", Invariant)} worker(s)").Raw("</h3>\n");
                if (group.Cause is not null)
                {
                    page.Raw("<p><strong>Cause:</strong> ").Text(group.Cause).Raw(" <strong>Fix:</strong> ").Text(group.Fix!).Raw("</p>\n");
                }

                int inactive = group.Workers.Count(w => !w.Active);
                if (inactive > 0)
                {
                    page.Raw("<p class=\"banner\">").Text($"{inactive.ToString("N0", Invariant)} of them HR marks inactive: their account may still be enabled until a disable goes through (the next run sends it alone).").Raw("</p>\n");
                }

                page.Raw("<div class=\"scroll\"><table><thead><tr><th>externalId</th><th>userName</th><th>When</th><th>Error</th></tr></thead><tbody>\n");
                foreach (ReportWorker worker in group.Workers)
                {
                    page.Raw("<tr><td><code>").Text(worker.ExternalId).Raw("</code></td><td>").Text(worker.UserName).Raw("</td><td>").Text(Time(worker.When)).Raw("</td><td>").Text(worker.Error ?? string.Empty).Raw("</td></tr>\n");
                }

                page.Raw("</tbody></table></div>\n");
                if (group.Count > group.Workers.Count)
                {
                    page.Raw("<p class=\"muted\">").Text($"And {(group.Count - group.Workers.Count).ToString("N0", Invariant)} more: Get-ProvisioningState -ExternalId shows any of them.").Raw("</p>\n");
                }
            }
        }

        private static void LeaverSection(PageWriter page, ProvisioningReport report, RunRecord? last)
        {
            page.Raw("<h2>Leavers of the last run</h2>\n");
            if (last is null)
            {
                return;
            }

            if (report.LeaversAllowed is int allowed)
            {
                long leavers = last.Leavers;
                string headroom = allowed == 0 ? "none allowed" : $"{(100.0 * leavers / allowed).ToString("0.#", Invariant)} % of what it allows";
                page.Raw("<p>").Text($"Leaver threshold {report.LeaverThreshold}: {allowed.ToString("N0", Invariant)} of {report.State.ActiveWorkers.ToString("N0", Invariant)} active workers may leave in one run. This run planned {leavers.ToString("N0", Invariant)} leaver(s), {headroom}.").Raw("</p>\n");
            }

            if (report.LeaverCount == 0)
            {
                page.Raw("<p>").Text("Nobody was disabled by the last run.").Raw("</p>\n");
                return;
            }

            page.Raw("<p>").Text($"{report.LeaverCount.ToString("N0", Invariant)} worker(s) disabled: their disable was accepted in the last run.").Raw("</p>\n");
            page.Raw("<div class=\"scroll\"><table><thead><tr><th>externalId</th><th>userName</th><th>Accepted</th><th>Confirmed</th></tr></thead><tbody>\n");
            foreach (ReportWorker worker in report.Leavers)
            {
                page.Raw("<tr><td><code>").Text(worker.ExternalId).Raw("</code></td><td>").Text(worker.UserName).Raw("</td><td>").Text(Time(worker.When)).Raw("</td><td>").Text(Confirmation(worker)).Raw("</td></tr>\n");
            }

            page.Raw("</tbody></table></div>\n");
            if (report.LeaverCount > report.Leavers.Count)
            {
                page.Raw("<p class=\"muted\">").Text($"And {(report.LeaverCount - report.Leavers.Count).ToString("N0", Invariant)} more.").Raw("</p>\n");
            }
        }

        /// <summary>What the Confirmed column says of a leaver's disable.</summary>
        internal static string Confirmation(ReportWorker leaver) => leaver.Confirmed switch
        {
            true => "yes",
            false => $"no: {leaver.Error ?? "the provisioning cycle failed"}",
            null => "not yet known",
        };

        private static string Time(DateTimeOffset time) => time == default ? "unknown" : time.UtcDateTime.ToString("yyyy-MM-dd HH:mm 'UTC'", Invariant);

        private static string Day(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd", Invariant);

        private static string Day(DateTime day) => day.ToString("yyyy-MM-dd", Invariant);

        /// <summary>"Calls to bulkUpload" as the middle of a sentence: "calls to bulkUpload".</summary>
        internal static string Lower(string name) => name.Length == 0 ? name : char.ToLowerInvariant(name[0]) + name.Substring(1);

        private static string F(double value) => value.ToString("0.#", Invariant);

        /// <summary>Writes markup as is and text encoded, so no value can become markup.</summary>
        private sealed class PageWriter
        {
            private readonly TextWriter _writer;

            public PageWriter(TextWriter writer) => _writer = writer;

            public PageWriter Raw(string markup)
            {
                _writer.Write(markup);
                return this;
            }

            public PageWriter Text(string text)
            {
                _writer.Write(WebUtility.HtmlEncode(BidiControls.Reveal(text)));
                return this;
            }
        }
    }
}
