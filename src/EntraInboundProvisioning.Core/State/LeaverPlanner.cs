using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json;
using EntraInboundProvisioning.Scim;

namespace EntraInboundProvisioning.State
{
    /// <summary>
    /// Decides, once the whole input is known, who a run disables: the active workers of the state missing from it
    /// (new leavers, checked against the leaver threshold before anything is sent), and the workers whose disable did
    /// not happen because their last cycle failed (sent again every run until a cycle confirms it, and reported).
    /// </summary>
    internal sealed class LeaverPlanner
    {
        private static readonly JsonEncodedText SchemasName = JsonEncodedText.Encode("schemas");

        private readonly RunState _state;
        private readonly ConversionOptions _options;

        public LeaverPlanner(RunState state, ConversionOptions options)
        {
            _state = state;
            _options = options;
        }

        /// <summary>Active workers missing from the input: sent as leavers.</summary>
        public List<Leaver> New { get; } = new List<Leaver>();

        /// <summary>Workers whose disable failed in its cycle: sent again (as retries).</summary>
        public List<Leaver> Retried { get; } = new List<Leaver>();

        /// <summary>Finds the leavers and checks them against the threshold.</summary>
        /// <param name="present">Whether a worker is in this run's input.</param>
        /// <param name="recordsRead">Records the input had (0: the input was empty).</param>
        /// <param name="sourcesRead">The sources this run read (to tell an admin which source a run left out).</param>
        /// <param name="report">Warnings.</param>
        /// <exception cref="TooManyLeaversException">More new leavers than the threshold allows.</exception>
        public void Plan(Func<WorkerKey, bool> present, long recordsRead, IReadOnlyList<string?> sourcesRead, Action<ConversionDiagnostic> report)
        {
            List<MissingWorker> missing = _state.Missing(present);
            List<MissingWorker> leavers = missing.Where(m => m.IsNew).ToList();
            int active = _state.ActiveWorkers;
            int allowed = _options.LeaverThreshold.Allowed(active);
            if (leavers.Count > allowed)
            {
                string share = active == 0 ? string.Empty : $" ({100.0 * leavers.Count / active:0.#} %)";
                string limit = _options.LeaverThreshold.IsPercent ? $"{_options.LeaverThreshold} of them, {allowed} worker(s)" : $"{allowed} worker(s)";
                if (!_options.AllowManyLeavers)
                {
                    string empty = recordsRead == 0 ? "The input has no records, so every worker of the state would be a leaver: " : string.Empty;
                    throw new TooManyLeaversException(
                        $"{empty}{leavers.Count} of the {active} active workers in the state '{_state.Path}'{share} are missing from this input, more than the leaver threshold ({limit}). Nothing was converted or sent.{OtherSources(leavers, sourcesRead)} If the input is complete and they have left, run again with -Force or a higher -LeaverThreshold; if the export is truncated or filtered, fix it, or use -PartialInput to send its changes without inferring leavers.",
                        leavers.Count,
                        active,
                        allowed);
                }

                report(new ConversionDiagnostic(DiagnosticSeverity.Warning, "ManyLeavers", $"{leavers.Count} of the {active} active workers{share} are missing from this input, more than the leaver threshold ({limit}); they are sent as leavers because of -Force.", null, 0));
            }

            foreach (MissingWorker worker in missing)
            {
                // A disable needs only the externalId to match the account. The userName goes along, as it was last
                // accepted, unless the last cycle failed on this worker: then it may be what the service refused (an
                // invalid UPN), and sending it again would fail the disable again.
                string? userName = worker.LastCycleFailed || worker.UserName.Length == 0 ? null : worker.UserName;
                byte[] data = Write(worker.ExternalId, userName);
                var facts = new OperationFacts(worker.ExternalId, userName, active: false, left: true, RunState.HashOf(data), inputHash: 0, worker.Source);
                var leaver = new Leaver(worker.Key, facts, data, worker.IsNew ? OperationKind.Leaver : OperationKind.Retry, worker.LastError);
                (worker.IsNew ? New : Retried).Add(leaver);
            }

            if (Retried.Count > 0)
            {
                string list = string.Join("; ", Retried.Take(10).Select(r => $"'{r.Facts.ExternalId}' ({r.LastError ?? "no reason logged"})")) + (Retried.Count > 10 ? $"; and {Retried.Count - 10} more" : string.Empty);
                report(new ConversionDiagnostic(DiagnosticSeverity.Warning, "DisableRetried", $"{Retried.Count} worker(s) missing from the input whose disable failed in the provisioning cycle are sent again, without the userName the service refused: {list}. Get-ProvisioningState -ExternalId shows each one's last error.", null, 0));
            }
        }

        /// <summary>
        /// When every new leaver came from sources this run did not read, says so: the admin converted the sources of
        /// one job in separate runs, where one run with all of them is what keeps movers between sources movers.
        /// </summary>
        private static string OtherSources(List<MissingWorker> leavers, IReadOnlyList<string?> sourcesRead)
        {
            if (leavers.Count == 0 || leavers.Any(l => l.Source is null || sourcesRead.Any(s => string.Equals(s, l.Source, StringComparison.OrdinalIgnoreCase))))
            {
                return string.Empty;
            }

            string names = string.Join(", ", leavers.GroupBy(l => l.Source!, StringComparer.OrdinalIgnoreCase).OrderByDescending(g => g.Count()).Select(g => $"'{g.Key}' ({g.Count().ToString("N0", CultureInfo.InvariantCulture)})"));
            return $" All of them came from other sources of this job, which this run did not read: {names}. The sources of one job go through one state in one run: ConvertTo-ScimBulkRequest -Source @{{ Name = 'employees'; Path = 'employees.csv'; AttributeMapping = 'Employees.psd1' }}, @{{ ... }} (see docs/delta-runs.md, 'Several sources of one job').";
        }

        /// <summary>A leaver's data object: who it is and active false. Nothing else, so nothing else of the account changes.</summary>
        internal static byte[] Write(string externalId, string? userName)
        {
            using var buffer = new MemoryStream(256);
            using (var writer = new Utf8JsonWriter(buffer, BulkRequestWriter.WriterOptions))
            {
                writer.WriteStartObject();
                writer.WriteStartArray(SchemasName);
                writer.WriteStringValue(ScimSchemas.CoreUserUrn);
                writer.WriteStringValue(ScimSchemas.EnterpriseUserUrn);
                writer.WriteEndArray();
                writer.WriteString("externalId", externalId);
                if (userName is not null)
                {
                    writer.WriteString("userName", userName);
                }

                writer.WriteBoolean("active", false);
                writer.WriteEndObject();
            }

            return buffer.ToArray();
        }

        /// <summary>A disable to send.</summary>
        internal readonly struct Leaver
        {
            public Leaver(WorkerKey key, OperationFacts facts, byte[] data, OperationKind kind, string? lastError)
            {
                Key = key;
                Facts = facts;
                Data = data;
                Kind = kind;
                LastError = lastError;
            }

            public WorkerKey Key { get; }

            public OperationFacts Facts { get; }

            public byte[] Data { get; }

            public OperationKind Kind { get; }

            public string? LastError { get; }
        }
    }
}
