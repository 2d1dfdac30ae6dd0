using System;
using System.Collections;
using System.IO;
using System.Management.Automation;
using EntraInboundProvisioning.Logs;
using EntraInboundProvisioning.PowerShell.Session;
using EntraInboundProvisioning.PowerShell.Records;
using EntraInboundProvisioning.Reports;
using EntraInboundProvisioning.State;

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

        /// <summary><para type="description">The HTML file to write, or an existing folder to write it into. By default, beside the state: &lt;state name&gt;-report-&lt;UTC date and time&gt;.html. Never a file of the state (OutFileIsState), even with -Force.</para></summary>
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

        /// <summary><para type="description">Overwrites an existing file (never a file of the state).</para></summary>
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

            // Where the page goes is checked before the state and the logs are read: a wrong -Path fails at once.
            (string folder, string? file) = AsMarkdown.IsPresent ? (string.Empty, null) : Destination(state);
            ProvisioningReport report;
            try
            {
                if (ServicePrincipalId is not null)
                {
                    ReadLogs(state);
                }

                report = ProvisioningReport.Read(state, _piped || ServicePrincipalId is not null ? _logs : null);
            }
            catch (Exception ex) when (StateSessions.ReadError(ex, state) is ErrorRecord error)
            {
                ThrowTerminatingError(error);
                return;
            }

            report.Title = Title ?? report.Title;
            if (AsMarkdown.IsPresent)
            {
                WriteObject(ReportSummary.Write(report));
                return;
            }

            string path = System.IO.Path.Combine(folder, file ?? ReportFile.DefaultName(state, report.GeneratedAt));
            bool exists = File.Exists(path);
            string action = !exists
                ? $"Write the run report of '{state}'"
                : Force.IsPresent
                    ? $"Overwrite the existing file with the run report of '{state}'"
                    : $"Write the run report of '{state}': the file exists, and without -Force it is not overwritten (OutFileExists)";
            if (!ShouldProcess(path, action))
            {
                return;
            }

            if (exists && !Force.IsPresent)
            {
                ThrowTerminatingError(new ErrorRecord(new IOException($"'{path}' already exists; use -Force to overwrite it."), "OutFileExists", ErrorCategory.ResourceExists, path));
            }

            try
            {
                ReportFile.Write(report, path);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                ThrowTerminatingError(new ErrorRecord(new IOException($"The run report could not be written to '{path}': {ex.Message}", ex), "OutFileNotWritten", ErrorCategory.WriteError, path));
            }

            WriteVerbose($"Run report of '{state}': {report.History.Count} run(s), {report.FailedWorkers} failed worker(s), {report.LeaverCount} leaver(s) of the last run.");
            WriteObject(new FileInfo(path));
        }

        /// <summary>
        /// The folder the page goes to and its name (null: the default name, known once the report is made). -Path may
        /// be a file or an existing folder; its folder must exist, and it may not be a file of the state.
        /// </summary>
        private (string Folder, string? File) Destination(string state)
        {
            if (Path is null)
            {
                return (System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(state)) ?? ".", null);
            }

            string given = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            if (Directory.Exists(given))
            {
                return (given, null);
            }

            bool namesFolder = given.EndsWith(System.IO.Path.DirectorySeparatorChar.ToString(), StringComparison.Ordinal)
                || given.EndsWith(System.IO.Path.AltDirectorySeparatorChar.ToString(), StringComparison.Ordinal);
            string folder = namesFolder ? given : System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(given)) ?? given;
            if (!Directory.Exists(folder))
            {
                ThrowTerminatingError(new ErrorRecord(new DirectoryNotFoundException($"The folder '{folder}' of -Path '{Path}' does not exist; create it, or give an existing folder or file path."), "OutFolderNotFound", ErrorCategory.ObjectNotFound, folder));
            }

            string file = System.IO.Path.GetFileName(given);
            if (StateFiles.Holds(state, given) || StateFiles.Holds(state, given + ReportFile.PartialSuffix))
            {
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException($"-Path '{given}' is a file of the run state '{state}' (the state, its journal, its lock or a save in progress); the report would replace it and lose what the service accepted. Give another file name. -Force does not change this."), "OutFileIsState", ErrorCategory.InvalidArgument, given));
            }

            return (folder, file);
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
            DateTimeOffset since = ProvisioningStateReader.Read(state).State.LastRun?.StartedAt is DateTimeOffset started && started != default
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
