using System;
using System.IO;
using System.Management.Automation;
using System.Text;
using System.Threading;
using EntraInboundProvisioning.PowerShell.Session;
using EntraInboundProvisioning.Schema;

namespace EntraInboundProvisioning.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Saves a provisioning job's schema to a JSON file, for source control and for moving a configuration between apps or tenants.</para>
    /// </summary>
    [Cmdlet(VerbsData.Export, "ProvisioningSchema", SupportsShouldProcess = true)]
    [OutputType(typeof(FileInfo))]
    public sealed class ExportProvisioningSchemaCommand : ProvisioningCmdlet
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

        /// <summary><para type="description">The file to write.</para></summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        public string? Path { get; set; }

        /// <summary><para type="description">Overwrites an existing file.</para></summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            if (File.Exists(path) && !Force.IsPresent)
            {
                ThrowTerminatingError(new ErrorRecord(new IOException($"'{path}' already exists; use -Force to overwrite it."), "OutFileExists", ErrorCategory.ResourceExists, path));
            }
            var (sp, job) = ResolveJob(ServicePrincipalId!, JobId);
            string schema = RunGraph(ct => Api.GetSchemaAsync(sp.Id, job.Id, ct), "GetSchemaFailed", job.Id, "Synchronization.Read.All");
            string json;
            try
            {
                json = SynchronizationSchemaDocument.Parse(schema).ToJson(indented: true);
            }
            catch (SynchronizationSchemaException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "UnsupportedSchema", ErrorCategory.InvalidData, job.Id));
                return;
            }

            if (ShouldProcess(path, $"Save the schema of job {job.Id}"))
            {
                File.WriteAllText(path, json, new UTF8Encoding(false));
                WriteObject(new FileInfo(path));
            }
        }

    }
}
