using System;
using System.Collections.Generic;
using System.Linq;
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

        /// <summary>How far back a wait that takes its records from the state looks when it is given no start.</summary>
        public static readonly TimeSpan AwaitingHorizon = TimeSpan.FromDays(7);

        /// <summary>
        /// The records to wait for when the state names them, and where reading the logs starts. With
        /// <paramref name="since"/>: the records accepted since then, read from then. Without: also those an earlier run
        /// stopped waiting for (its wait timed out, or a read failed), back to <see cref="AwaitingHorizon"/>, read from five
        /// minutes before the oldest acceptance (or an hour back when none awaits): their outcomes are in the logs by now,
        /// and a failure among them must still be learned to be sent again. Each record counts from its acceptance, kept
        /// to the second, so up to a second early, which errs the safe way.
        /// </summary>
        public (IReadOnlyList<KeyValuePair<string, DateTimeOffset>> Records, DateTimeOffset Since) Awaited(DateTimeOffset? since, DateTimeOffset now)
        {
            List<KeyValuePair<string, DateTimeOffset>> awaiting = new List<KeyValuePair<string, DateTimeOffset>>(AwaitingOutcome(since ?? now - AwaitingHorizon));
            DateTimeOffset from = since ?? (awaiting.Count > 0 ? awaiting.Min(p => p.Value).AddMinutes(-5) : now.AddHours(-1));
            return (awaiting, from);
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
