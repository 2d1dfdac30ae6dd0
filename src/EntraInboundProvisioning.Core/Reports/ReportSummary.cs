using System;
using System.Globalization;
using System.Linq;
using System.Text;
using EntraInboundProvisioning.State;

namespace EntraInboundProvisioning.Reports
{
    /// <summary>
    /// A <see cref="ProvisioningReport"/> as a few lines of Markdown, for a Teams or Slack message: the last run's
    /// figures, what is unusual, the largest failure groups, and what is pending. Values from HR data are written as
    /// code spans with their backticks and line breaks taken out, so they cannot become links or formatting.
    /// </summary>
    public static class ReportSummary
    {
        private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

        /// <summary>The summary text.</summary>
        public static string Write(ProvisioningReport report)
        {
            var text = new StringBuilder();
            text.Append("**Provisioning report: ").Append(Plain(report.Title)).Append("**  \n");
            if (report.LastRun is not RunRecord last)
            {
                text.Append("No run has been recorded in this state yet.\n");
                return text.ToString();
            }

            if (last.Refused is not null)
            {
                text.Append(string.Format(Invariant, "- ⚠ Last run {0:yyyy-MM-dd HH:mm} UTC was refused; nothing was sent: ", last.CompletedAt.UtcDateTime)).Append(Plain(last.Refused)).Append('\n');
                return text.ToString();
            }

            if (last.Recovered)
            {
                // Rebuilt from the journal of a run killed before it saved: what it accepted is known, its plan is not.
                text.Append(string.Format(Invariant, "Last run {0:yyyy-MM-dd HH:mm} UTC ended before it could save (recovered from its journal; its plan is unknown): {1:N0} request(s) accepted ({2:N0} records), at least {3:N0} call(s) of the daily {4:N0}.\n",
                    last.StartedAt.UtcDateTime, last.Accepted, last.AcceptedRecords, Math.Max(last.Calls, last.Accepted), report.DailyRequestLimit));
            }
            else
            {
                AppendLastRun(text, report, last);
            }

            AppendNotes(text, report, last);
            return text.ToString();
        }

        private static void AppendLastRun(StringBuilder text, ProvisioningReport report, RunRecord last)
        {
            text.Append(string.Format(Invariant, "Last run {0:yyyy-MM-dd HH:mm} UTC: {1:N0} joiner(s), {2:N0} mover(s), {3:N0} leaver(s), {4:N0} retried; {5:N0} of {6:N0} request(s) accepted ({7:N0} records), {8:N0} call(s) of the daily {9:N0}.",
                last.StartedAt.UtcDateTime, last.Joiners, last.Movers, last.Leavers, last.Retries, last.Accepted, last.Requests, last.AcceptedRecords, Math.Max(last.Calls, last.Accepted), report.DailyRequestLimit));
            if (last.Stopped)
            {
                text.Append(" Stopped early: the next run sends the rest.");
            }

            text.Append('\n');
        }

        private static void AppendNotes(StringBuilder text, ProvisioningReport report, RunRecord last)
        {
            foreach (Headline headline in report.Headlines.Where(h => h.Unusual))
            {
                text.Append("- ⚠ Unusual: ").Append(ReportPage.Lower(headline.Name)).Append(' ').Append(headline.Value.ToString("N0", Invariant)).Append(", ").Append(headline.Comparison).Append('\n');
            }

            if (last.Plan is { LeaversInferred: false, StatePath: not null } plan)
            {
                text.Append("- ⚠ No leaver was inferred: ").Append(Plain(plan.LeaversNote ?? "the input was not the whole population.")).Append('\n');
            }

            if (report.Failures.Count == 0)
            {
                text.Append("- No worker's last provisioning cycle failed.\n");
            }
            else
            {
                text.Append(string.Format(Invariant, "- {0:N0} worker(s) whose last cycle failed: ", report.FailedWorkers));
                text.Append(string.Join(", ", report.Failures.Take(5).Select(g => $"{Code(g.Code)} {g.Count.ToString("N0", Invariant)}")));
                text.Append(report.Failures.Count > 5 ? ", …\n" : "\n");
            }

            text.Append(string.Format(Invariant, "- Pending: {0:N0} retr{1}, {2:N0} disable(s) not confirmed, {3:N0} outcome(s) not learned.\n",
                report.State.PendingRetries, report.State.PendingRetries == 1 ? "y" : "ies", report.State.DisablesPending, report.State.AwaitingOutcome));
        }

        /// <summary>Text with what Markdown would read as markup escaped, on one line.</summary>
        private static string Plain(string value)
        {
            var escaped = new StringBuilder(value.Length + 8);
            foreach (char c in BidiControls.Reveal(value))
            {
                if (c is '\r' or '\n')
                {
                    escaped.Append(' ');
                }
                else if ("\\`*_{}[]()<>#+-.!|~".IndexOf(c) >= 0)
                {
                    escaped.Append('\\').Append(c);
                }
                else
                {
                    escaped.Append(c);
                }
            }

            return escaped.ToString();
        }

        private static string Code(string value) => "`" + BidiControls.Reveal(value).Replace("`", "'").Replace("\r", " ").Replace("\n", " ") + "`";
    }
}
