using System.Management.Automation;
using EntraInboundProvisioning.PowerShell.Session;

namespace EntraInboundProvisioning.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Ends the session Connect-EntraProvisioning started and forgets its tokens.</para>
    /// </summary>
    [Cmdlet(VerbsCommunications.Disconnect, "EntraProvisioning")]
    [OutputType(typeof(EntraProvisioningContext))]
    public sealed class DisconnectEntraProvisioningCommand : PSCmdlet
    {
        /// <summary><para type="description">Returns the context of the session that ended.</para></summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            EntraProvisioningContext? context = ProvisioningSession.Clear();
            if (context is null)
            {
                WriteVerbose("There was no session to end.");
                return;
            }

            WriteVerbose($"Disconnected {context.Account} from {context.GraphEndpoint}.");
            if (PassThru.IsPresent)
            {
                WriteObject(context);
            }
        }
    }
}
