using System;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Graph;
using EntraInboundProvisioning.PowerShell.Session;

namespace EntraInboundProvisioning.PowerShell.Commands
{
    /// <summary>
    /// What the module's cmdlets share (SecretManagement's SecretCmdlet is the model): Ctrl+C as a cancellation token,
    /// the session's Graph client, running Core's async work while writing its messages on the pipeline thread, finding
    /// the job a cmdlet works on, mapping Graph failures to error records that name the missing permission, and telling
    /// whether this is a -WhatIf run. Each cmdlet keeps only its parameters and its translation.
    /// </summary>
    public abstract class ProvisioningCmdlet : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _cancellation = new CancellationTokenSource();
        private AsyncPump? _pump;
        private ProvisioningApi? _api;

        /// <summary>Cancelled by Ctrl+C (StopProcessing).</summary>
        protected CancellationToken Cancellation => _cancellation.Token;

        /// <summary>True when the command runs with -WhatIf, given or from $WhatIfPreference.</summary>
        protected bool IsWhatIf => MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? whatIf)
            ? whatIf is SwitchParameter { IsPresent: true } || whatIf is true
            : LanguagePrimitives.IsTrue(SessionState.PSVariable.GetValue("WhatIfPreference"));

        /// <summary>Runs async work and writes its messages on the pipeline thread.</summary>
        internal AsyncPump Pump => _pump ??= new AsyncPump();

        /// <summary>The session's provisioning API; a terminating NotConnected error without a session.</summary>
        internal ProvisioningApi Api => _api ??= ProvisioningSession.Require(this);

        /// <summary>The service principal and API-driven job a cmdlet works on (terminating errors when not found).</summary>
        internal (ServicePrincipalInfo ServicePrincipal, SynchronizationJobInfo Job) ResolveJob(string servicePrincipalId, string? jobId)
            => JobTarget.Resolve(this, Api, Pump, servicePrincipalId, jobId, Cancellation);

        /// <summary>Runs a Graph call; a failure is a terminating error with <paramref name="errorId"/> (a 403 names <paramref name="permission"/>).</summary>
        internal T RunGraph<T>(Func<CancellationToken, Task<T>> work, string errorId, object? target, string permission)
            => JobTarget.Run(this, Pump, work, errorId, target, permission, Cancellation);

        /// <summary>Runs a Graph call that returns nothing.</summary>
        internal void RunGraph(Func<CancellationToken, Task> work, string errorId, object? target, string permission)
            => JobTarget.Run(this, Pump, work, errorId, target, permission, Cancellation);

        /// <inheritdoc />
        protected override void StopProcessing()
        {
            _cancellation.Cancel();
            OnStopping();
        }

        /// <summary>Ctrl+C, after the token was cancelled: stop what the token does not reach.</summary>
        protected virtual void OnStopping()
        {
        }

        /// <inheritdoc />
        public void Dispose()
        {
            Dispose(true);
            GC.SuppressFinalize(this);
        }

        /// <summary>Releases what the cmdlet holds; the pipeline disposes every cmdlet, also one stopped by an error.</summary>
        protected virtual void Dispose(bool disposing)
        {
            if (disposing)
            {
                _cancellation.Dispose();
            }
        }
    }
}
