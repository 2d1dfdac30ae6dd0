using System;
using System.Collections.Generic;
using System.Linq;

namespace EntraInboundProvisioning.Logs
{
    /// <summary>One provisioning cycle of a job: when it ran, how many records it touched, and what happened to them.</summary>
    public sealed class ProvisioningCycle
    {
        private readonly int[,] _counts = new int[6, 4];

        /// <summary>Builds the statistics of a cycle from its entries.</summary>
        public ProvisioningCycle(string cycleId, IReadOnlyList<ProvisioningLogEntry> entries)
        {
            if (entries.Count == 0)
            {
                throw new ArgumentException("A cycle has at least one entry.", nameof(entries));
            }

            CycleId = cycleId;
            Entries = entries;
            JobId = entries[0].JobId;
            Start = entries.Min(e => e.ActivityDateTime);
            End = entries.Max(e => e.ActivityDateTime);
            Changes = entries.Count;
            Users = entries.Select(e => e.ExternalId).Distinct(StringComparer.OrdinalIgnoreCase).Count();
            foreach (ProvisioningLogEntry entry in entries)
            {
                _counts[(int)ParseAction(entry.Action), (int)ParseStatus(entry.Status)]++;
            }
        }

        /// <summary>
        /// A cycle from statistics counted as its entries streamed past (Get-ProvisioningCycleLog): the entries are not
        /// held, so a cycle of 100,000 records costs its counts, not its records.
        /// </summary>
        internal ProvisioningCycle(string cycleId, string jobId, DateTimeOffset start, DateTimeOffset end, int changes, int users, int[,] counts)
        {
            CycleId = cycleId;
            JobId = jobId;
            Start = start;
            End = end;
            Changes = changes;
            Users = users;
            Entries = Array.Empty<ProvisioningLogEntry>();
            Array.Copy(counts, _counts, _counts.Length);
        }

        /// <summary>The cycle id.</summary>
        public string CycleId { get; }

        /// <summary>The job.</summary>
        public string JobId { get; }

        /// <summary>The first entry's time.</summary>
        public DateTimeOffset Start { get; }

        /// <summary>The last entry's time.</summary>
        public DateTimeOffset End { get; }

        /// <summary>Number of log entries (changes) in the cycle.</summary>
        public int Changes { get; }

        /// <summary>Number of distinct records (externalIds).</summary>
        public int Users { get; }

        /// <summary>
        /// The entries, newest first as Graph returns them, for a cycle built from its entries. Get-ProvisioningCycleLog
        /// streams entries and returns cycles with their statistics only (this list empty); -Detail returns the entries.
        /// </summary>
        public IReadOnlyList<ProvisioningLogEntry> Entries { get; }

        /// <summary>Entries that succeeded.</summary>
        public int Succeeded => Total(ProvisioningStatus.Success);

        /// <summary>Entries that failed.</summary>
        public int Failed => Total(ProvisioningStatus.Failure);

        /// <summary>Entries that were skipped.</summary>
        public int Skipped => Total(ProvisioningStatus.Skipped);

        /// <summary>Entries with warnings.</summary>
        public int Warnings => Total(ProvisioningStatus.Warning);

        /// <summary>Count of entries with an action and a status.</summary>
        public int Count(ProvisioningAction action, ProvisioningStatus status) => _counts[(int)action, (int)status];

        /// <summary>The action × status table as rows, for display and export.</summary>
        public IReadOnlyList<CycleStatisticsRow> Statistics()
            => Enum.GetValues(typeof(ProvisioningAction)).Cast<ProvisioningAction>()
                .Select(a => new CycleStatisticsRow(a, Count(a, ProvisioningStatus.Success), Count(a, ProvisioningStatus.Failure), Count(a, ProvisioningStatus.Skipped), Count(a, ProvisioningStatus.Warning)))
                .ToArray();

        /// <summary>Maps Graph's provisioningAction text to the counted actions.</summary>
        public static ProvisioningAction ParseAction(string? action) => action?.ToUpperInvariant() switch
        {
            "CREATE" => ProvisioningAction.Create,
            "UPDATE" => ProvisioningAction.Update,
            "DELETE" => ProvisioningAction.Delete,
            "DISABLE" => ProvisioningAction.Disable,
            "STAGEDDELETE" => ProvisioningAction.StagedDelete,
            _ => ProvisioningAction.Other,
        };

        /// <summary>Maps Graph's status text to the counted statuses (unknown values count as Warning).</summary>
        public static ProvisioningStatus ParseStatus(string? status) => status?.ToUpperInvariant() switch
        {
            "SUCCESS" => ProvisioningStatus.Success,
            "FAILURE" => ProvisioningStatus.Failure,
            "SKIPPED" => ProvisioningStatus.Skipped,
            _ => ProvisioningStatus.Warning,
        };

        private int Total(ProvisioningStatus status)
        {
            int total = 0;
            for (int a = 0; a < 6; a++)
            {
                total += _counts[a, (int)status];
            }

            return total;
        }
    }
}
