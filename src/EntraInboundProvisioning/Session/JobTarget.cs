using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Graph;

namespace EntraInboundProvisioning.PowerShell.Session
{
    /// <summary>
    /// Finds the service principal and API-driven job a cmdlet works on, with the same errors everywhere:
    /// ServicePrincipalNotFound, ProvisioningJobNotFound, and the permission a 403 asks for.
    /// </summary>
    internal static class JobTarget
    {
        public static (ServicePrincipalInfo ServicePrincipal, SynchronizationJobInfo Job) Resolve(PSCmdlet cmdlet, ProvisioningApi api, AsyncPump pump, string servicePrincipalId, string? jobId, CancellationToken cancellationToken)
        {
            ServicePrincipalInfo sp = Run(cmdlet, pump, ct => api.ResolveServicePrincipalAsync(servicePrincipalId, ct), "ServicePrincipalNotFound", servicePrincipalId, "Application.Read.All", cancellationToken);
            ProvisioningSession.Remember(sp);
            SynchronizationJobInfo job = Run(cmdlet, pump, ct => api.ResolveJobAsync(sp.Id, jobId, ct), "ProvisioningJobNotFound", servicePrincipalId, "Synchronization.Read.All", cancellationToken);
            return (sp, job);
        }

        /// <summary>Runs a Graph call; a failure is a terminating error with <paramref name="errorId"/> (403s name the permission).</summary>
        public static T Run<T>(PSCmdlet cmdlet, AsyncPump pump, Func<CancellationToken, Task<T>> work, string errorId, object? target, string permission, CancellationToken cancellationToken)
        {
            try
            {
                return pump.Run(cmdlet, work, cancellationToken);
            }
            catch (GraphException ex)
            {
                Exception reported = ex.Status == System.Net.HttpStatusCode.Forbidden
                    ? new UnauthorizedAccessException($"{ex.Message} The signed-in identity needs the Microsoft Graph permission {permission} (an application permission for unattended runs); grant it and connect again.", ex)
                    : ex;
                cmdlet.ThrowTerminatingError(new ErrorRecord(reported, ex.Status == System.Net.HttpStatusCode.Forbidden ? "PermissionDenied" : errorId, GraphErrors.Category(ex), target));
                throw; // not reached
            }
            catch (ArgumentException ex)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(ex, errorId, ErrorCategory.InvalidArgument, target));
                throw; // not reached
            }
        }

        public static void Run(PSCmdlet cmdlet, AsyncPump pump, Func<CancellationToken, Task> work, string errorId, object? target, string permission, CancellationToken cancellationToken)
            => Run(cmdlet, pump, async ct =>
            {
                await work(ct).ConfigureAwait(false);
                return true;
            }, errorId, target, permission, cancellationToken);
    }
}
