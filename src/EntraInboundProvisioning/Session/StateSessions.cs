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
            catch (Exception ex) when (ReadError(ex, path) is ErrorRecord error)
            {
                cmdlet.ThrowTerminatingError(error);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(ex, "StateUnreadable", ErrorCategory.ReadError, path));
            }

            if (state!.ReplayedFromJournal > 0 && state.SharedBy == 1)
            {
                cmdlet.WriteWarning($"The state '{path}' had {state.ReplayedFromJournal} accepted record(s) of a run that ended before it could save them; they are recovered from '{StateFiles.Journal(path)}' and not sent again.");
            }

            return state;
        }

        /// <summary>
        /// The error for what reading a state threw, the same for every cmdlet that reads one: StateNotFound (no file
        /// yet), StateLocked (another process holds it open: try again), StateUnreadable (not a state file, or damaged:
        /// restore it). Null for an exception that says none of these.
        /// </summary>
        public static ErrorRecord? ReadError(Exception ex, string path) => ex switch
        {
            FileNotFoundException => new ErrorRecord(ex, "StateNotFound", ErrorCategory.ObjectNotFound, path),
            StateLockedException => new ErrorRecord(ex, "StateLocked", ErrorCategory.ResourceBusy, path),
            InvalidDataException => new ErrorRecord(ex, "StateUnreadable", ErrorCategory.InvalidData, path),
            _ => null,
        };
    }
}
