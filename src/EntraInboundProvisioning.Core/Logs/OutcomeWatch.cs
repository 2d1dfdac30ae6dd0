using System;
using System.Collections.Generic;
using System.Linq;

namespace EntraInboundProvisioning.Logs
{
    /// <summary>
    /// Waits for the outcomes of given records by reading only what is new: the first read asks for the job's entries
    /// since a time, oldest first; each later read asks only for entries after the newest one seen, less a small overlap
    /// (the log may show an entry a little after entries stamped later), and entries met twice are known by their id. A
    /// record's outcome is its first entry at or after the moment its upload was accepted; once every record has one,
    /// the watch is complete and reading stops. Acceptances are this machine's time and entries the service's: with the
    /// service's clock offset known (<see cref="ServerClockOffset"/>, from the Date header of its answers), an entry counts
    /// from a second before the acceptance in the service's time; without it, from a minute before. An entry of an earlier
    /// upload, written by a cycle that ended more than that before this one was accepted, is therefore not taken for its
    /// outcome (the service runs a job's cycles about 40 minutes apart).
    /// </summary>
    public sealed class OutcomeWatch
    {
        /// <summary>
        /// How far before the newest entry seen a later read starts: the service writes a cycle's entries as it works, so
        /// an entry can show up a little after one stamped later. Each read pays for the overlap's entries again, so it is
        /// kept small.
        /// </summary>
        public static readonly TimeSpan DefaultOverlap = TimeSpan.FromSeconds(30);

        /// <summary>
        /// How much earlier than an acceptance (in the service's time) an entry may be and still answer it, with the clocks'
        /// offset known. The offset read from a Date header is short by up to a second (whole seconds), or two when the
        /// server stamps the header from a cache refreshed each second (Kestrel does), which already moves the bound
        /// earlier; this covers the time the acceptance took to arrive here. Early is the safe side: an entry from a
        /// cycle seconds before the upload cannot be told from its outcome, while a bound too late would miss the outcome.
        /// </summary>
        public static readonly TimeSpan KnownClockTolerance = TimeSpan.FromSeconds(1);

        /// <summary>The same with the offset unknown (an answer without a Date header): clocks of machines kept by NTP agree far better than this.</summary>
        public static readonly TimeSpan UnknownClockTolerance = TimeSpan.FromMinutes(1);

        private readonly string _jobId;
        private readonly Dictionary<string, DateTimeOffset> _waiting;
        private readonly TimeSpan _overlap;
        private readonly Dictionary<string, (string CycleId, DateTimeOffset At)> _found = new Dictionary<string, (string, DateTimeOffset)>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, DateTimeOffset> _recent = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        private readonly DateTimeOffset _since;
        private DateTimeOffset? _newest;
        private int _pruneAt = 4096;

        /// <summary>Watches <paramref name="records"/> (externalId, when its upload was accepted in this machine's time; MinValue: any entry) from <paramref name="since"/>.</summary>
        public OutcomeWatch(string jobId, IEnumerable<KeyValuePair<string, DateTimeOffset>> records, DateTimeOffset since, TimeSpan? overlap = null)
        {
            _jobId = jobId;
            _since = since;
            _overlap = overlap ?? DefaultOverlap;
            _waiting = new Dictionary<string, DateTimeOffset>(StringComparer.OrdinalIgnoreCase);
            foreach (KeyValuePair<string, DateTimeOffset> record in records)
            {
                // A record given twice waits for the later upload.
                _waiting[record.Key] = _waiting.TryGetValue(record.Key, out DateTimeOffset known) && known > record.Value ? known : record.Value;
            }

            Wanted = _waiting.Count;
        }

        /// <summary>How far the service's clock is ahead of this machine's, when known (<see cref="Graph.GraphClient.ServerClockOffset"/>).</summary>
        public Func<TimeSpan?>? ServerClockOffset { get; set; }

        /// <summary>Records watched.</summary>
        public int Wanted { get; }

        /// <summary>Records with an outcome.</summary>
        public int Found => Wanted - _waiting.Count;

        /// <summary>True once every record has an outcome.</summary>
        public bool IsComplete => _waiting.Count == 0;

        /// <summary>Entries offered that were new (not met in an earlier read's overlap).</summary>
        public long EntriesSeen { get; private set; }

        /// <summary>The records still without an outcome.</summary>
        public IReadOnlyList<string> Missing => _waiting.Keys.ToArray();

        /// <summary>The query of the next read: the job's entries after the newest seen (less the overlap), oldest first.</summary>
        public ProvisioningLogQuery NextQuery()
        {
            DateTimeOffset from = _newest is DateTimeOffset newest && newest - _overlap > _since ? newest - _overlap : _since;
            return new ProvisioningLogQuery { JobId = _jobId, Since = from, Ascending = true };
        }

        /// <summary>
        /// Offers an entry read: true when it is the outcome of a watched record (its first entry since that record's
        /// upload), which then has its outcome; false for anything else, an entry met before included.
        /// </summary>
        public bool Offer(ProvisioningLogEntry entry)
        {
            if (entry.Id.Length > 0)
            {
                if (_recent.ContainsKey(entry.Id))
                {
                    return false;
                }

                _recent.Add(entry.Id, entry.ActivityDateTime);
            }

            EntriesSeen++;
            if (_newest is not DateTimeOffset newest || entry.ActivityDateTime > newest)
            {
                _newest = entry.ActivityDateTime;
                Prune();
            }

            if (_waiting.TryGetValue(entry.ExternalId, out DateTimeOffset accepted) && entry.ActivityDateTime >= Earliest(accepted))
            {
                _waiting.Remove(entry.ExternalId);
                _found[entry.ExternalId] = (entry.CycleId, entry.ActivityDateTime);
                return true;
            }

            // Two uploads of the worker (yesterday's change, then today's) that one cycle processes give two entries: the
            // later one answers the later upload, so it is an outcome too, and it stands (a learner takes them in order).
            if (_found.TryGetValue(entry.ExternalId, out (string CycleId, DateTimeOffset At) first) && entry.CycleId.Length > 0
                && string.Equals(first.CycleId, entry.CycleId, StringComparison.Ordinal) && entry.ActivityDateTime >= first.At)
            {
                _found[entry.ExternalId] = (entry.CycleId, entry.ActivityDateTime);
                return true;
            }

            return false;
        }

        /// <summary>The earliest entry time, in the service's clock, that can be the outcome of an upload accepted at <paramref name="accepted"/> (this machine's clock).</summary>
        private DateTimeOffset Earliest(DateTimeOffset accepted)
        {
            if (accepted == DateTimeOffset.MinValue)
            {
                return accepted;
            }

            TimeSpan? offset = ServerClockOffset?.Invoke();
            TimeSpan shift = offset is TimeSpan known ? known - KnownClockTolerance : -UnknownClockTolerance;
            return shift < TimeSpan.Zero && accepted - DateTimeOffset.MinValue < -shift ? DateTimeOffset.MinValue
                : shift > TimeSpan.Zero && DateTimeOffset.MaxValue - accepted < shift ? DateTimeOffset.MaxValue
                : accepted + shift;
        }

        /// <summary>Ids are remembered only while a later read can meet them again (within the overlap of the newest).</summary>
        private void Prune()
        {
            if (_recent.Count < _pruneAt)
            {
                return;
            }

            DateTimeOffset keepFrom = _newest!.Value - _overlap - TimeSpan.FromSeconds(1);
            foreach (string id in _recent.Where(p => p.Value < keepFrom).Select(p => p.Key).ToList())
            {
                _recent.Remove(id);
            }

            // Amortized: the next pass waits until the set has doubled, so a burst inside the overlap costs no rescans.
            _pruneAt = Math.Max(4096, _recent.Count * 2);
        }
    }
}
