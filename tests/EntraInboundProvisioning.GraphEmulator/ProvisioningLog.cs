using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EntraInboundProvisioning.GraphEmulator
{
    /// <summary>One provisioning log entry as the log keeps it: the fields $filter reads, and the entry as JSON bytes.</summary>
    internal sealed class LogRecord
    {
        public LogRecord(int position, JsonObject entry)
        {
            Position = position;
            Ticks = DateTimeOffset.Parse(entry["activityDateTime"]!.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).UtcTicks;
            Id = Text(entry["id"]);
            TenantId = Text(entry["tenantId"]);
            JobId = Text(entry["jobId"]);
            CycleId = Text(entry["cycleId"]);
            ChangeId = Text(entry["changeId"]);
            ExternalId = Text(entry["sourceIdentity"]?["id"]);
            Action = Text(entry["provisioningAction"]);
            Status = Text(entry["provisioningStatusInfo"]?["status"]);
            Json = JsonSerializer.SerializeToUtf8Bytes(entry);
        }

        /// <summary>The entry's place in the log: the log is in activityDateTime order, so this is its order in time too.</summary>
        public int Position { get; }

        public long Ticks { get; }

        public string Id { get; }

        public string TenantId { get; }

        public string JobId { get; }

        public string CycleId { get; }

        public string ChangeId { get; }

        public string ExternalId { get; }

        public string Action { get; }

        public string Status { get; }

        /// <summary>The entry as the endpoint returns it (a few KB as bytes, instead of a JSON tree ten times that size).</summary>
        public byte[] Json { get; }

        private static string Text(JsonNode? node) => node?.ToString() ?? string.Empty;
    }

    /// <summary>
    /// The provisioning log of every job, as the engine writes it. The engine stamps entries with strictly increasing
    /// activityDateTime, so the log is in time order as written: a page in either order is a walk from a position, never
    /// a sort. Entries are indexed by job, cycle and record (sourceIdentity/id), so a filtered page reads only the entries
    /// that can match; a time bound is a binary search. A 100,000-entry cycle is served page after page in constant time
    /// per entry returned, which a benchmark of the module's reads needs.
    /// </summary>
    internal sealed class ProvisioningLog
    {
        private readonly List<LogRecord> _records = new List<LogRecord>();
        private readonly Dictionary<string, List<int>> _byJob = new Dictionary<string, List<int>>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, List<int>> _byCycle = new Dictionary<string, List<int>>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, List<int>> _byExternalId = new Dictionary<string, List<int>>(StringComparer.OrdinalIgnoreCase);

        public int Count => _records.Count;

        public LogRecord this[int position] => _records[position];

        /// <summary>Appends an entry the engine wrote; its activityDateTime must not be earlier than the last one's.</summary>
        public void Add(JsonObject entry)
        {
            var record = new LogRecord(_records.Count, entry);
            if (_records.Count > 0 && record.Ticks < _records[^1].Ticks)
            {
                throw new InvalidOperationException("The provisioning log is kept in time order; the engine wrote an entry earlier than the last one.");
            }

            _records.Add(record);
            Index(_byJob, record.JobId, record.Position);
            Index(_byCycle, record.CycleId, record.Position);
            Index(_byExternalId, record.ExternalId, record.Position);
        }

        /// <summary>
        /// The positions that can match: the smallest of the index lists the filter pins down (a cycle, a set of records,
        /// a job), or every position; narrowed to the filter's time bounds.
        /// </summary>
        public IReadOnlyList<int> Candidates(LogFilter filter)
        {
            IReadOnlyList<int>? best = null;
            foreach ((string field, IReadOnlyList<string> values) in filter.IndexedEqualities())
            {
                Dictionary<string, List<int>>? index = field switch
                {
                    "cycleid" => _byCycle,
                    "sourceidentity/id" => _byExternalId,
                    "jobid" => _byJob,
                    _ => null,
                };
                if (index is null)
                {
                    continue;
                }

                IReadOnlyList<int> found = Union(index, values);
                if (best is null || found.Count < best.Count)
                {
                    best = found;
                }
            }

            (long? after, long? before) = filter.TimeBounds();
            int low = after is long a ? FirstAfter(a) : 0;
            int high = before is long b ? FirstAtOrAfter(b) : _records.Count; // exclusive
            if (best is null)
            {
                return new PositionRange(low, Math.Max(low, high));
            }

            return Slice(best, low, high);
        }

        private static IReadOnlyList<int> Union(Dictionary<string, List<int>> index, IReadOnlyList<string> values)
        {
            if (values.Count == 1)
            {
                return index.TryGetValue(values[0], out List<int>? only) ? only : Array.Empty<int>();
            }

            var all = new SortedSet<int>();
            foreach (string value in values)
            {
                if (index.TryGetValue(value, out List<int>? list))
                {
                    all.UnionWith(list);
                }
            }

            return new List<int>(all);
        }

        /// <summary>The part of an ascending position list within [low, high).</summary>
        private static IReadOnlyList<int> Slice(IReadOnlyList<int> positions, int low, int high)
        {
            int from = LowerBound(positions, low);
            int to = LowerBound(positions, high);
            if (from == 0 && to == positions.Count)
            {
                return positions;
            }

            var slice = new List<int>(Math.Max(0, to - from));
            for (int i = from; i < to; i++)
            {
                slice.Add(positions[i]);
            }

            return slice;
        }

        private static int LowerBound(IReadOnlyList<int> positions, int value)
        {
            int low = 0, high = positions.Count;
            while (low < high)
            {
                int middle = (low + high) >>> 1;
                if (positions[middle] < value)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle;
                }
            }

            return low;
        }

        private int FirstAfter(long ticks)
        {
            int low = 0, high = _records.Count;
            while (low < high)
            {
                int middle = (low + high) >>> 1;
                if (_records[middle].Ticks <= ticks)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle;
                }
            }

            return low;
        }

        private int FirstAtOrAfter(long ticks)
        {
            int low = 0, high = _records.Count;
            while (low < high)
            {
                int middle = (low + high) >>> 1;
                if (_records[middle].Ticks < ticks)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle;
                }
            }

            return low;
        }

        private static void Index(Dictionary<string, List<int>> index, string key, int position)
        {
            if (!index.TryGetValue(key, out List<int>? list))
            {
                list = new List<int>();
                index.Add(key, list);
            }

            list.Add(position);
        }

        /// <summary>The positions low..high-1, without a list of them.</summary>
        private sealed class PositionRange : IReadOnlyList<int>
        {
            private readonly int _low;

            public PositionRange(int low, int high)
            {
                _low = low;
                Count = high - low;
            }

            public int Count { get; }

            public int this[int index] => _low + index;

            public IEnumerator<int> GetEnumerator()
            {
                for (int i = 0; i < Count; i++)
                {
                    yield return _low + i;
                }
            }

            System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
        }
    }
}
