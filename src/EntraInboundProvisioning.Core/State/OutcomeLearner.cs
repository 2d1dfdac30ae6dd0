using System;
using System.Collections.Generic;
using EntraInboundProvisioning.Logs;
using EntraInboundProvisioning.Scim;

namespace EntraInboundProvisioning.State
{
    /// <summary>
    /// Teaches a run state the outcomes read from the provisioning logs, a page at a time, in whatever order the pages
    /// come (newest first for cycles, oldest first for a wait): a worker's newest entry read wins, whichever came first,
    /// so nothing but the time of each worker's outcome is remembered, never the entries. It also names the workers the
    /// state holds as accepted and still awaiting an outcome, for a wait that takes its records from the state.
    /// Not thread-safe, as the state is not: the cmdlet learns on the pipeline thread.
    /// </summary>
    public sealed class OutcomeLearner
    {
        private readonly RunState _state;
        private readonly Dictionary<int, DateTimeOffset> _learnedAt = new Dictionary<int, DateTimeOffset>();

        /// <summary>Learns into <paramref name="state"/>.</summary>
        public OutcomeLearner(RunState state) => _state = state;

        /// <summary>Entries of workers the state knows that were applied (newer than what was learned before for them).</summary>
        public int Learned { get; private set; }

        /// <summary>Of those, the ones that changed the state (a retry mark set or cleared, a disable confirmed, a reason kept).</summary>
        public int Changed { get; private set; }

        /// <summary>Learns an entry; false when the state does not know the worker or already learned a newer entry of theirs.</summary>
        public bool Learn(ProvisioningLogEntry entry)
        {
            if (entry.ExternalId.Length == 0 || !_state.Table.TryFind(WorkerKey.Of(entry.ExternalId), out int position))
            {
                return false;
            }

            if (_learnedAt.TryGetValue(position, out DateTimeOffset learned) && learned > entry.ActivityDateTime)
            {
                return false;
            }

            _learnedAt[position] = entry.ActivityDateTime;
            Learned++;
            bool changed = _state.RecordOutcome(entry);
            Changed += changed ? 1 : 0;
            return changed;
        }

        /// <summary>
        /// Workers the state recorded as accepted at or after <paramref name="since"/> whose outcome no cycle has told yet,
        /// with the moment each was accepted (the state keeps it to the second).
        /// </summary>
        public IEnumerable<KeyValuePair<string, DateTimeOffset>> AwaitingOutcome(DateTimeOffset since)
        {
            long from = since.ToUnixTimeSeconds();
            WorkerStateTable table = _state.Table;
            for (int p = 0; p < table.Count; p++)
            {
                WorkerStateEntry entry = table[p];
                if ((entry.Flags & WorkerStateFlags.Pending) != 0 && entry.AcceptedAt >= from)
                {
                    yield return new KeyValuePair<string, DateTimeOffset>(table.ExternalId(p), DateTimeOffset.FromUnixTimeSeconds(entry.AcceptedAt));
                }
            }
        }
    }
}
