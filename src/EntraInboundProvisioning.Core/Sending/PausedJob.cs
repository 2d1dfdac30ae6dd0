using System;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Graph;

namespace EntraInboundProvisioning.Sending
{
    /// <summary>
    /// A job the module paused for an upload (-RestartService). It is started again exactly once, whatever happened
    /// to the upload. It is never restarted: per Graph's synchronizationJob docs, restart while the job is not running
    /// purges what was uploaded before it.
    /// </summary>
    public sealed class PausedJob
    {
        private readonly ProvisioningApi _api;
        private int _started;

        private PausedJob(ProvisioningApi api, string servicePrincipalId, string jobId)
        {
            _api = api;
            ServicePrincipalId = servicePrincipalId;
            JobId = jobId;
        }

        /// <summary>The app.</summary>
        public string ServicePrincipalId { get; }

        /// <summary>The paused job.</summary>
        public string JobId { get; }

        /// <summary>True until <see cref="StartAgainAsync"/> has run.</summary>
        public bool IsPaused => Volatile.Read(ref _started) == 0;

        /// <summary>POST …/jobs/{id}/pause; throws <see cref="GraphException"/> (nothing is paused then).</summary>
        public static async Task<PausedJob> PauseAsync(ProvisioningApi api, string servicePrincipalId, string jobId, CancellationToken cancellationToken)
        {
            await api.PauseJobAsync(servicePrincipalId, jobId, cancellationToken).ConfigureAwait(false);
            return new PausedJob(api, servicePrincipalId, jobId);
        }

        /// <summary>
        /// POST …/jobs/{id}/start, once; later calls do nothing. Not cancellable: a stopped run must still leave the
        /// job running. Returns the failure instead of throwing, so a finally block can report it.
        /// </summary>
        public async Task<GraphException?> StartAgainAsync()
        {
            if (Interlocked.Exchange(ref _started, 1) == 1)
            {
                return null;
            }

            try
            {
                await _api.StartJobAsync(ServicePrincipalId, JobId, CancellationToken.None).ConfigureAwait(false);
                return null;
            }
            catch (GraphException ex)
            {
                return ex;
            }
        }
    }
}
