using System;
using System.IO;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using EntraInboundProvisioning.State;

namespace EntraInboundProvisioning.PowerShell.Session
{
    /// <summary>
    /// Opens run states for cmdlets, with the same errors everywhere. The owner is the runspace: converting and
    /// sending in one pipeline share the open state, while another runspace or process is refused.
    /// </summary>
    internal static class StateSessions
    {
        public static RunState Open(PSCmdlet cmdlet, string path)
        {
            Guid owner = Runspace.DefaultRunspace?.InstanceId ?? Guid.NewGuid();
            RunState? state = null;
            try
            {
                state = RunState.Acquire(path, owner);
            }
            catch (RunStateInUseException ex)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(ex, "StateInUse", ErrorCategory.ResourceBusy, path));
            }
            catch (InvalidDataException ex)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(ex, "StateUnreadable", ErrorCategory.InvalidData, path));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(ex, "StateUnreadable", ErrorCategory.ReadError, path));
            }

            if (state!.ReplayedFromJournal > 0 && state.SharedBy == 1)
            {
                cmdlet.WriteWarning($"The state '{path}' had {state.ReplayedFromJournal} accepted record(s) of a run that ended before it could save them; they are recovered from '{path}.journal' and not sent again.");
            }

            return state;
        }
    }
}
