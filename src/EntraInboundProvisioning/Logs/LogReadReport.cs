using System;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using EntraInboundProvisioning.Logs;

namespace EntraInboundProvisioning.PowerShell.Logs
{
    /// <summary>
    /// Progress of a long read of the provisioning logs (entries, pages, the time waited for the reports limit, and for a
    /// wait how many records have an outcome), and the summary -Verbose shows at the end. Always a Completed record.
    /// </summary>
    internal sealed class LogReadReport
    {
        private const int ProgressId = 3;
        private readonly Cmdlet _cmdlet;
        private readonly ProvisioningLogReader _reader;
        private readonly string _activity;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private bool _shown;

        public LogReadReport(Cmdlet cmdlet, ProvisioningLogReader reader, string activity)
        {
            _cmdlet = cmdlet;
            _reader = reader;
            _activity = activity;
        }

        /// <summary>Time since the read began.</summary>
        public TimeSpan Elapsed => _clock.Elapsed;

        /// <summary>After each page: entries, pages and the wait for the limit; with <paramref name="found"/>, a wait's progress.</summary>
        public void Page(int? found = null, int? wanted = null, string? operation = null)
        {
            _shown = true;
            var progress = new ProgressRecord(ProgressId, _activity, Status(found, wanted));
            if (operation is not null)
            {
                progress.CurrentOperation = operation;
            }

            if (found is int f && wanted is int w && w > 0)
            {
                progress.PercentComplete = (int)Math.Min(99, f * 100L / w);
            }

            _cmdlet.WriteProgress(progress);
        }

        /// <summary>The read is over.</summary>
        public void Complete()
        {
            if (_shown)
            {
                _cmdlet.WriteProgress(new ProgressRecord(ProgressId, _activity, "Done") { RecordType = ProgressRecordType.Completed });
            }
        }

        /// <summary>What the read cost, for -Verbose and for an error that says how far it got.</summary>
        public string Summary()
            => FormattableString.Invariant($"{_reader.PagesRead:N0} page(s), {_reader.EntriesRead:N0} entries in {_clock.Elapsed.TotalSeconds:0.#} s ({_reader.Tally.WaitedForLimit.TotalSeconds:0.#} s waiting for the reports limit; {_reader.Tally.Retries:N0} read(s) retried, {_reader.Tally.Throttled:N0} of them throttled)");

        private string Status(int? found, int? wanted)
        {
            string read = FormattableString.Invariant($"{_reader.EntriesRead:N0} entries in {_reader.PagesRead:N0} page(s), {_reader.Tally.WaitedForLimit.TotalSeconds:0} s waiting for the reports limit");
            return found is int f && wanted is int w ? FormattableString.Invariant($"{f:N0} of {w:N0} record(s) have an outcome; {read}") : read;
        }
    }
}
