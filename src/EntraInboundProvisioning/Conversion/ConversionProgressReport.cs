using System;
using System.Diagnostics;
using System.Management.Automation;
using EntraInboundProvisioning.Scim;

namespace EntraInboundProvisioning.PowerShell.Conversion
{
    /// <summary>Progress of the conversion, at most five times a second, and always a Completed record.</summary>
    internal sealed class ConversionProgressReport : IProgress<ConversionProgress>
    {
        private const int ProgressId = 1;
        private const string Activity = "Converting records to SCIM bulk requests";
        private readonly Cmdlet _cmdlet;
        private readonly Func<BulkRequestConverter?> _converter;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private bool _shown;

        public ConversionProgressReport(Cmdlet cmdlet, Func<BulkRequestConverter?> converter)
        {
            _cmdlet = cmdlet;
            _converter = converter;
        }

        public void Report(ConversionProgress value) => Show(value, value.Row);

        public void Show(ConversionProgress? at, long row)
        {
            // Checking the clock every record is cheap; writing progress is not.
            if (_clock.ElapsedMilliseconds < 200 || _converter() is not BulkRequestConverter converter)
            {
                return;
            }

            _clock.Restart();
            _shown = true;
            string status = at is { Indexing: true }
                ? $"Reading each worker's row and manager first: {converter.RecordsIndexed:N0} record(s)"
                : $"{converter.RecordsRead:N0} record(s) read, {converter.RequestsCompleted:N0} request(s), {converter.OperationsWaiting:N0} waiting for their manager or the end of the input, {converter.RecordsFailed:N0} error(s)";
            var progress = new ProgressRecord(ProgressId, Activity, status);
            if (at is ConversionProgress where)
            {
                progress.CurrentOperation = $"{where.File}, row {row:N0}";
                if (where.Fraction is double done)
                {
                    progress.PercentComplete = (int)Math.Min(99, done * 100);
                }
            }

            _cmdlet.WriteProgress(progress);
        }

        public void Complete()
        {
            if (_shown)
            {
                _cmdlet.WriteProgress(new ProgressRecord(ProgressId, Activity, "Done") { RecordType = ProgressRecordType.Completed });
            }
        }
    }
}
