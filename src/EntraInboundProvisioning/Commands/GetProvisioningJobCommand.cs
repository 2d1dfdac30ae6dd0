using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using EntraInboundProvisioning.Graph;
using EntraInboundProvisioning.PowerShell.Session;

namespace EntraInboundProvisioning.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Gets the provisioning jobs of an app: status, last execution and quarantine.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ProvisioningJob")]
    [OutputType(typeof(SynchronizationJobInfo))]
    public sealed class GetProvisioningJobCommand : ProvisioningCmdlet
    {

        /// <summary><para type="description">The provisioning app's service principal: its object id or application id.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ServicePrincipalIdCompleter))]
        public string? ServicePrincipalId { get; set; }

        /// <summary><para type="description">Only this job.</para></summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(JobIdCompleter))]
        public string? JobId { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            try
            {
                ServicePrincipalInfo sp = Pump.Run(this, ct => Api.ResolveServicePrincipalAsync(ServicePrincipalId!, ct), Cancellation);
                ProvisioningSession.Remember(sp);
                if (JobId is not null)
                {
                    WriteObject(Pump.Run(this, ct => Api.GetJobAsync(sp.Id, JobId, ct), Cancellation));
                    return;
                }

                IReadOnlyList<SynchronizationJobInfo> jobs = Pump.Run(this, ct => Api.ListJobsAsync(sp.Id, ct), Cancellation);
                foreach (SynchronizationJobInfo job in jobs)
                {
                    WriteObject(job);
                }
            }
            catch (GraphException ex)
            {
                WriteError(new ErrorRecord(ex, "GetProvisioningJobFailed", GraphErrors.Category(ex), ServicePrincipalId));
            }
            catch (ArgumentException ex)
            {
                WriteError(new ErrorRecord(ex, "InvalidServicePrincipalId", ErrorCategory.InvalidArgument, ServicePrincipalId));
            }
        }

    }
}
