using System;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;
using static EntraInboundProvisioning.GraphEmulator.Endpoints.Responses;

namespace EntraInboundProvisioning.GraphEmulator.Endpoints
{
    /// <summary>What every Graph call checks first: a valid bearer token with one of the required roles, and the job it addresses.</summary>
    internal sealed class GraphAccess(EmulatorState state, TokenService tokens)
    {
        public async Task<EmulatedJob?> FindJob(HttpContext c, string id, string jobId)
        {
            EmulatedJob? job;
            lock (state.Gate)
            {
                state.Jobs.TryGetValue(jobId, out job);
            }

            if (job is null || !string.Equals(job.ServicePrincipalId, id, StringComparison.OrdinalIgnoreCase))
            {
                await GraphError(c, 404, "Request_ResourceNotFound", $"Job '{jobId}' of service principal '{id}' does not exist.").ConfigureAwait(false);
                return null;
            }

            return job;
        }

        /// <summary>Checks the bearer token and that it carries one of the roles (or scopes); writes 401/403 otherwise.</summary>
        public async Task<TokenClaims?> Authorize(HttpContext c, params string[] anyOf)
        {
            string header = c.Request.Headers.Authorization.ToString();
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                await GraphError(c, 401, "InvalidAuthenticationToken", "Access token is empty.").ConfigureAwait(false);
                return null;
            }

            TokenClaims? claims = tokens.Validate(header.Substring(7).Trim(), out string reason);
            if (claims is null)
            {
                await GraphError(c, 401, "InvalidAuthenticationToken", reason).ConfigureAwait(false);
                return null;
            }

            if (!anyOf.Any(r => claims.Roles.Contains(r, StringComparer.OrdinalIgnoreCase) || claims.Scopes.Contains(r, StringComparer.OrdinalIgnoreCase)))
            {
                await GraphError(c, 403, "Authorization_RequestDenied", $"Insufficient privileges to complete the operation. Requires one of: {string.Join(", ", anyOf)}.").ConfigureAwait(false);
                return null;
            }

            return claims;
        }
    }
}
