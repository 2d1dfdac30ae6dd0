using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Logs;

namespace EntraInboundProvisioning.Graph
{
    /// <summary>The provisioning endpoints of Graph the module calls (DESIGN.md: Graph facts).</summary>
    public sealed class ProvisioningApi
    {
        private readonly GraphClient _graph;

        /// <summary>Creates the API over a session's client; every read goes through one <see cref="PacedReader"/>.</summary>
        public ProvisioningApi(GraphClient graph, GraphReadOptions? reads = null)
        {
            _graph = graph;
            Reads = new PacedReader(graph, reads);
        }

        /// <summary>The client.</summary>
        public GraphClient Graph => _graph;

        /// <summary>The session's reads: paced where Graph limits them (the reports), retried where that is safe.</summary>
        public PacedReader Reads { get; }

        /// <summary>Finds a service principal by object id, or else by application id.</summary>
        public async Task<ServicePrincipalInfo> ResolveServicePrincipalAsync(string idOrAppId, CancellationToken cancellationToken)
        {
            if (!Guid.TryParse(idOrAppId, out _))
            {
                throw new ArgumentException($"'{idOrAppId}' is not a service principal object id or application id (a GUID).", nameof(idOrAppId));
            }

            try
            {
                using JsonDocument sp = await Reads.GetJsonAsync($"servicePrincipals/{idOrAppId}?$select=id,appId,displayName", cancellationToken).ConfigureAwait(false);
                return ToServicePrincipal(sp.RootElement);
            }
            catch (GraphException ex) when (ex.Status == HttpStatusCode.NotFound)
            {
                using JsonDocument list = await Reads.GetJsonAsync($"servicePrincipals?$filter={Uri.EscapeDataString($"appId eq '{idOrAppId}'")}&$select=id,appId,displayName", cancellationToken).ConfigureAwait(false);
                JsonElement first = list.RootElement.GetProperty("value").EnumerateArray().FirstOrDefault();
                if (first.ValueKind != JsonValueKind.Object)
                {
                    throw new GraphException($"No service principal has the object id or application id '{idOrAppId}'.", HttpStatusCode.NotFound, "Request_ResourceNotFound", ex.RequestId, ex.ClientRequestId);
                }

                return ToServicePrincipal(first);
            }
        }

        /// <summary>The synchronization jobs of a service principal.</summary>
        public async Task<IReadOnlyList<SynchronizationJobInfo>> ListJobsAsync(string servicePrincipalId, CancellationToken cancellationToken)
        {
            using JsonDocument jobs = await Reads.GetJsonAsync($"servicePrincipals/{servicePrincipalId}/synchronization/jobs", cancellationToken).ConfigureAwait(false);
            return jobs.RootElement.GetProperty("value").EnumerateArray().Select(j => SynchronizationJobReader.Read(servicePrincipalId, j)).ToArray();
        }

        /// <summary>One job.</summary>
        public async Task<SynchronizationJobInfo> GetJobAsync(string servicePrincipalId, string jobId, CancellationToken cancellationToken)
        {
            using JsonDocument job = await Reads.GetJsonAsync($"servicePrincipals/{servicePrincipalId}/synchronization/jobs/{Uri.EscapeDataString(jobId)}", cancellationToken).ConfigureAwait(false);
            return SynchronizationJobReader.Read(servicePrincipalId, job.RootElement);
        }

        /// <summary>
        /// The API-driven job of a service principal: the one given, or the only API-driven job; a clear error when
        /// there is none, or several and none was named.
        /// </summary>
        public async Task<SynchronizationJobInfo> ResolveJobAsync(string servicePrincipalId, string? jobId, CancellationToken cancellationToken)
        {
            IReadOnlyList<SynchronizationJobInfo> jobs = await ListJobsAsync(servicePrincipalId, cancellationToken).ConfigureAwait(false);
            if (jobId is not null)
            {
                return jobs.FirstOrDefault(j => string.Equals(j.Id, jobId, StringComparison.OrdinalIgnoreCase))
                    ?? throw new GraphException($"Service principal {servicePrincipalId} has no job '{jobId}'. Its jobs: {Names(jobs)}.", HttpStatusCode.NotFound);
            }

            List<SynchronizationJobInfo> apiDriven = jobs.Where(j => j.IsApiDriven).ToList();
            return apiDriven.Count switch
            {
                1 => apiDriven[0],
                0 => throw new GraphException($"Service principal {servicePrincipalId} has no API-driven provisioning job (template API2AAD or API2AD). Its jobs: {Names(jobs)}.", HttpStatusCode.NotFound),
                _ => throw new GraphException($"Service principal {servicePrincipalId} has {apiDriven.Count} API-driven jobs ({Names(apiDriven)}); name one with -JobId."),
            };
        }

        /// <summary>POST …/jobs/{id}/start.</summary>
        public Task StartJobAsync(string servicePrincipalId, string jobId, CancellationToken cancellationToken)
            => _graph.SendAsync(HttpMethod.Post, $"servicePrincipals/{servicePrincipalId}/synchronization/jobs/{Uri.EscapeDataString(jobId)}/start", null, null, cancellationToken);

        /// <summary>POST …/jobs/{id}/pause.</summary>
        public Task PauseJobAsync(string servicePrincipalId, string jobId, CancellationToken cancellationToken)
            => _graph.SendAsync(HttpMethod.Post, $"servicePrincipals/{servicePrincipalId}/synchronization/jobs/{Uri.EscapeDataString(jobId)}/pause", null, null, cancellationToken);

        /// <summary>GET …/jobs/{id}/schema as JSON text.</summary>
        public async Task<string> GetSchemaAsync(string servicePrincipalId, string jobId, CancellationToken cancellationToken)
            => (await Reads.GetAsync($"servicePrincipals/{servicePrincipalId}/synchronization/jobs/{Uri.EscapeDataString(jobId)}/schema", cancellationToken).ConfigureAwait(false)).Body;

        /// <summary>PUT …/jobs/{id}/schema: replaces the whole document (204).</summary>
        public Task PutSchemaAsync(string servicePrincipalId, string jobId, string schemaJson, CancellationToken cancellationToken)
            => _graph.SendAsync(HttpMethod.Put, $"servicePrincipals/{servicePrincipalId}/synchronization/jobs/{Uri.EscapeDataString(jobId)}/schema", schemaJson, "application/json", cancellationToken);

        /// <summary>
        /// Writes a schema only if the job's schema is still <paramref name="readBefore"/>: the PUT replaces the whole
        /// document, so a change someone made since it was read would otherwise be lost.
        /// </summary>
        /// <exception cref="SchemaChangedException">The schema changed since it was read; nothing was written.</exception>
        public async Task PutSchemaIfUnchangedAsync(string servicePrincipalId, string jobId, string readBefore, string schemaJson, CancellationToken cancellationToken)
        {
            string current = await GetSchemaAsync(servicePrincipalId, jobId, cancellationToken).ConfigureAwait(false);
            if (!string.Equals(current, readBefore, StringComparison.Ordinal))
            {
                throw new SchemaChangedException($"The schema of job {jobId} changed while this command ran (someone else edited it); nothing was written. Run the command again.");
            }

            await PutSchemaAsync(servicePrincipalId, jobId, schemaJson, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>POST …/jobs/{id}/bulkUpload with Content-Type application/scim+json; 202 on success.</summary>
        public Task<GraphResponse> BulkUploadAsync(string servicePrincipalId, string jobId, string bulkRequestJson, string clientRequestId, CancellationToken cancellationToken)
            => BulkUploadAsync(servicePrincipalId, jobId, bulkRequestJson, clientRequestId, null, cancellationToken);

        /// <summary>The same, telling <paramref name="sending"/> when the body starts to go out (for pacing by arrival).</summary>
        internal Task<GraphResponse> BulkUploadAsync(string servicePrincipalId, string jobId, string bulkRequestJson, string clientRequestId, Action? sending, CancellationToken cancellationToken)
            => _graph.SendAsync(HttpMethod.Post, $"servicePrincipals/{servicePrincipalId}/synchronization/jobs/{Uri.EscapeDataString(jobId)}/bulkUpload", bulkRequestJson, "application/scim+json", clientRequestId, sending, cancellationToken);

        /// <summary>One page of provisioning logs (the query's first page, or an @odata.nextLink), paced and retried, without raw JSON.</summary>
        public Task<ProvisioningLogPage> GetLogPageAsync(string relativeUrlOrNextLink, CancellationToken cancellationToken)
            => GetLogPageAsync(relativeUrlOrNextLink, keepRawJson: false, null, cancellationToken);

        /// <summary>
        /// One page of provisioning logs, paced under the reports limit and retried; each entry keeps its raw JSON only
        /// when asked (a thousand raw entries are megabytes the statistics and the state never need).
        /// </summary>
        public async Task<ProvisioningLogPage> GetLogPageAsync(string relativeUrlOrNextLink, bool keepRawJson, GraphReadTally? tally, CancellationToken cancellationToken)
        {
            using JsonDocument page = await Reads.GetJsonAsync(relativeUrlOrNextLink, cancellationToken, tally).ConfigureAwait(false);
            JsonElement value = page.RootElement.GetProperty("value");
            var entries = new List<ProvisioningLogEntry>(value.GetArrayLength());
            foreach (JsonElement element in value.EnumerateArray())
            {
                entries.Add(ProvisioningLogEntryReader.Read(element, keepRawJson));
            }

            string? next = page.RootElement.TryGetProperty("@odata.nextLink", out JsonElement link) ? link.GetString() : null;
            return new ProvisioningLogPage(entries, next);
        }

        private static ServicePrincipalInfo ToServicePrincipal(JsonElement sp)
            => new ServicePrincipalInfo(sp.GetProperty("id").GetString() ?? string.Empty, sp.TryGetProperty("appId", out JsonElement a) ? a.GetString() ?? string.Empty : string.Empty, sp.TryGetProperty("displayName", out JsonElement d) ? d.GetString() ?? string.Empty : string.Empty);

        private static string Names(IEnumerable<SynchronizationJobInfo> jobs)
        {
            string names = string.Join(", ", jobs.Select(j => $"{j.Id} ({j.TemplateId})"));
            return names.Length == 0 ? "none" : names;
        }
    }
}
