using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Threading;
using EntraInboundProvisioning.PowerShell.Session;
using EntraInboundProvisioning.Schema;

namespace EntraInboundProvisioning.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Replaces a provisioning job's schema with one saved by Export-ProvisioningSchema, showing what it changes.</para>
    /// </summary>
    [Cmdlet(VerbsData.Import, "ProvisioningSchema", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(string))]
    public sealed class ImportProvisioningSchemaCommand : ProvisioningCmdlet
    {

        /// <summary><para type="description">The provisioning app's service principal: its object id or application id.</para></summary>
        [Parameter(Mandatory = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ServicePrincipalIdCompleter))]
        public string? ServicePrincipalId { get; set; }

        /// <summary><para type="description">The job, when the app has more than one API-driven job.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(JobIdCompleter))]
        public string? JobId { get; set; }

        /// <summary><para type="description">The schema file (JSON) to import.</para></summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary><para type="description">Returns the changes (one line each) after importing.</para></summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            SynchronizationSchemaDocument proposed;
            try
            {
                proposed = SynchronizationSchemaDocument.Parse(File.ReadAllText(path));
            }
            catch (Exception ex) when (ex is SynchronizationSchemaException or IOException or UnauthorizedAccessException)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "InvalidSchemaFile", ErrorCategory.InvalidData, path));
                return;
            }
            var (sp, job) = ResolveJob(ServicePrincipalId!, JobId);
            string currentJson = RunGraph(ct => Api.GetSchemaAsync(sp.Id, job.Id, ct), "GetSchemaFailed", job.Id, "Synchronization.ReadWrite.All");
            IReadOnlyList<string> diff = proposed.Diff(SynchronizationSchemaDocument.Parse(currentJson));
            if (diff.Count == 0)
            {
                WriteVerbose($"The schema of job {job.Id} already matches '{path}'; nothing to import.");
                return;
            }

            foreach (string line in diff)
            {
                WriteVerbose(line);
            }

            string summary = $"Replace the schema ({diff.Count} change(s)):{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", diff)}";
            if (!ShouldProcess($"schema of job {job.Id} of '{sp.DisplayName}'", summary))
            {
                return;
            }

            RunGraph(ct => Api.PutSchemaAsync(sp.Id, job.Id, proposed.ToJson(), ct), "PutSchemaFailed", job.Id, "Synchronization.ReadWrite.All");
            if (PassThru.IsPresent)
            {
                WriteObject(diff, enumerateCollection: true);
            }
        }

    }
}
