using System;
using System.Collections;
using System.IO;
using System.Management.Automation;
using System.Text;
using EntraInboundProvisioning.Logs;
using EntraInboundProvisioning.PowerShell.Records;
using EntraInboundProvisioning.Reports;

namespace EntraInboundProvisioning.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Writes a run report: one self-contained HTML page with the last run, the history of runs, failures by cause and the leavers, from a run state and, optionally, the provisioning logs.</para>
    /// </summary>
    /// <remarks>
    /// The page is built in Core (<see cref="ProvisioningReport"/>, <see cref="ReportPage"/>); this cmdlet resolves
    /// paths, takes log entries from the pipeline or reads them with Get-ProvisioningCycleLog (so those reads are paced
    /// and retried as that cmdlet's are), and keeps only a digest of them.
    /// </remarks>
    [Cmdlet(VerbsData.Export, "ProvisioningReport", SupportsShouldProcess = true, DefaultParameterSetName = PageSet)]
    [OutputType(typeof(FileInfo), ParameterSetName = new[] { PageSet })]
    [OutputType(typeof(string), ParameterSetName = new[] { MarkdownSet })]
    public sealed class ExportProvisioningReportCommand : PSCmdlet
    {
        private const string PageSet = "Page";
        private const string MarkdownSet = "Markdown";

        private readonly LogDigest _logs = new LogDigest();
        private bool _piped;

        /// <summary><para type="description">The run state file (as given to -StatePath of the other cmdlets).</para></summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string? StatePath { get; set; }

        /// <summary><para type="description">The HTML file to write. By default, beside the state: &lt;state name&gt;-report-&lt;UTC date and time&gt;.html.</para></summary>
        [Parameter(Position = 1, ParameterSetName = PageSet)]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary><para type="description">Provisioning log entries of the last run (Get-ProvisioningCycleLog -Detail, or -Wait, or cycles): their failures are listed and their statuses counted.</para></summary>
        [Parameter(ValueFromPipeline = true)]
        public object? InputObject { get; set; }

        /// <summary><para type="description">Reads the provisioning log entries since the last run started with Get-ProvisioningCycleLog, for this app (connect first).</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? ServicePrincipalId { get; set; }

        /// <summary><para type="description">With -ServicePrincipalId, the job, when the app has more than one API-driven job.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? JobId { get; set; }

        /// <summary><para type="description">The page's title (by default the state file's name).</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Title { get; set; }

        /// <summary><para type="description">Returns a short Markdown summary (for a Teams or Slack message) instead of writing a page.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = MarkdownSet)]
        public SwitchParameter AsMarkdown { get; set; }

        /// <summary><para type="description">Overwrites an existing file.</para></summary>
        [Parameter(ParameterSetName = PageSet)]
        public SwitchParameter Force { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (InputObject is null)
            {
                return;
            }

            _piped = true;
            Take(PSObjectRecord.Unwrap(InputObject));
        }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            string state = SessionState.Path.GetUnresolvedProviderPathFromPSPath(StatePath);
            ProvisioningReport report;
            try
            {
                if (ServicePrincipalId is not null)
                {
                    ReadLogs(state);
                }

                report = ProvisioningReport.Read(state, _piped || ServicePrincipalId is not null ? _logs : null);
            }
            catch (FileNotFoundException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "StateNotFound", ErrorCategory.ObjectNotFound, state));
                return;
            }
            catch (InvalidDataException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "StateUnreadable", ErrorCategory.InvalidData, state));
                return;
            }

            report.Title = Title ?? report.Title;
            if (AsMarkdown.IsPresent)
            {
                WriteObject(ReportSummary.Write(report));
                return;
            }

            string path = Path is null
                ? System.IO.Path.Combine(System.IO.Path.GetDirectoryName(state) ?? ".", $"{System.IO.Path.GetFileNameWithoutExtension(state)}-report-{report.GeneratedAt.UtcDateTime:yyyyMMdd-HHmmss}.html")
                : SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            if (File.Exists(path) && !Force.IsPresent)
            {
                ThrowTerminatingError(new ErrorRecord(new IOException($"'{path}' already exists; use -Force to overwrite it."), "OutFileExists", ErrorCategory.ResourceExists, path));
            }

            if (!ShouldProcess(path, $"Write the run report of '{state}'"))
            {
                return;
            }

            // Written whole, then moved into place: a reader never sees half a page.
            string partial = path + ".partial";
            using (var writer = new StreamWriter(partial, append: false, new UTF8Encoding(false)))
            {
                ReportPage.Write(report, writer);
            }

            if (File.Exists(path))
            {
                File.Delete(path);
            }

            File.Move(partial, path);
            WriteVerbose($"Run report of '{state}': {report.History.Count} run(s), {report.FailedWorkers} failed worker(s), {report.LeaverCount} leaver(s) of the last run.");
            WriteObject(new FileInfo(path));
        }

        /// <summary>A log entry, or a cycle of them, from the pipeline or Get-ProvisioningCycleLog; anything else is an error.</summary>
        private void Take(object? item)
        {
            switch (item)
            {
                case ProvisioningLogEntry entry:
                    _logs.Add(entry);
                    break;
                case ProvisioningCycle cycle:
                    foreach (ProvisioningLogEntry entry in cycle.Entries)
                    {
                        _logs.Add(entry);
                    }

                    break;
                default:
                    WriteError(new ErrorRecord(new PSArgumentException($"Export-ProvisioningReport takes provisioning log entries and cycles (Get-ProvisioningCycleLog) from the pipeline, not [{item?.GetType().FullName}]."), "InputNotALogEntry", ErrorCategory.InvalidArgument, item));
                    break;
            }
        }

        /// <summary>
        /// Runs Get-ProvisioningCycleLog -Detail for the time since the last run started, taking each entry as it comes,
        /// so a day of entries is never held at once.
        /// </summary>
        private void ReadLogs(string state)
        {
            DateTimeOffset since = EntraInboundProvisioning.State.ProvisioningStateReader.Read(state).State.LastRun?.StartedAt is DateTimeOffset started && started != default
                ? started.AddMinutes(-5)
                : DateTimeOffset.UtcNow.AddDays(-1);
            using var pipeline = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace);
            pipeline.AddCommand("EntraInboundProvisioning\\Get-ProvisioningCycleLog")
                .AddParameter("ServicePrincipalId", ServicePrincipalId)
                .AddParameter("Since", since)
                .AddParameter("Detail", true);
            if (JobId is not null)
            {
                pipeline.AddParameter("JobId", JobId);
            }

            var output = new PSDataCollection<PSObject>();
            output.DataAdded += (_, _) =>
            {
                foreach (PSObject item in output.ReadAll())
                {
                    Take(item.BaseObject);
                }
            };
            try
            {
                pipeline.Invoke(null, output);
            }
            catch (RuntimeException ex) when (ex is not PipelineStoppedException)
            {
                // The report still comes, from the state: what the logs would have added is said to be missing.
                WriteError(new ErrorRecord(ex.ErrorRecord.Exception, "ReadLogsFailed", ErrorCategory.ReadError, ServicePrincipalId));
            }

            foreach (ErrorRecord error in pipeline.Streams.Error)
            {
                WriteError(error);
            }

            WriteVerbose($"Read {_logs.Entries} provisioning log entries since {since:u}.");
        }
    }
}
