using System;
using System.Text;
using EntraInboundProvisioning.Internal;
using EntraInboundProvisioning.Scim;

namespace EntraInboundProvisioning.State
{
    /// <summary>What the state remembers of a worker, packed: the key, the hash of the last accepted record, when, and flags.</summary>
    internal struct WorkerStateEntry
    {
        public WorkerKey Key;
        public ulong Hash;          // of the data object the service last accepted (a leaver's too)
        public ulong InputHash;     // of the input record it was converted from; 0 when unknown
        public long AcceptedAt;     // Unix seconds
        public int Names;           // offset of externalId, userName and the last cycle error in the name pool
        public WorkerStateFlags Flags;
        public byte Source;         // index into the state's source names; 0 when unknown
    }

    [Flags]
    internal enum WorkerStateFlags : byte
    {
        None = 0,
        /// <summary>The last accepted record had active true.</summary>
        Active = 1,
        /// <summary>The provisioning cycle failed on the last accepted record: send it again even if unchanged.</summary>
        Retry = 2,
        /// <summary>Sent as a leaver (absent from the input, so active false).</summary>
        Left = 4,
        /// <summary>Accepted, and no provisioning cycle has said yet how it went (a leaver: disable pending).</summary>
        Pending = 8,
    }

    /// <summary>
    /// Every worker the service accepted for one job, by key: a million workers in about 90 MB (chunked entries, an
    /// open-addressing index, and externalIds, userNames and cycle errors as UTF-8 in one pool). Not thread-safe.
    /// </summary>
    internal sealed class WorkerStateTable
    {
        private readonly ChunkedList<WorkerStateEntry> _entries = new ChunkedList<WorkerStateEntry>();
        private readonly ChunkedList<byte> _names = new ChunkedList<byte>();
        private readonly WorkerKeyIndex _index = new WorkerKeyIndex();

        /// <summary>Workers in the table.</summary>
        public int Count => _entries.Count;

        /// <summary>The entry at a position (0..Count-1), by reference.</summary>
        public ref WorkerStateEntry this[int position] => ref _entries[position];

        /// <summary>Finds a worker.</summary>
        public bool TryFind(WorkerKey key, out int position) => _index.TryFind(new Keys(_entries), key, out position);

        /// <summary>Adds or replaces what the service accepted for a worker; returns its position. The last cycle error is kept.</summary>
        public int Upsert(string externalId, string? userName, ulong hash, ulong inputHash, long acceptedAt, WorkerStateFlags flags, byte source)
        {
            WorkerKey key = WorkerKey.Of(externalId);
            if (TryFind(key, out int position))
            {
                ref WorkerStateEntry entry = ref _entries[position];
                if (!string.Equals(ExternalId(position), externalId, StringComparison.Ordinal) || !string.Equals(UserName(position), userName ?? string.Empty, StringComparison.Ordinal))
                {
                    entry.Names = AddNames(externalId, userName, LastError(position));
                }

                entry.Hash = hash;
                entry.InputHash = inputHash;
                entry.AcceptedAt = Math.Max(entry.AcceptedAt, acceptedAt);
                entry.Flags = flags;
                entry.Source = source == 0 ? entry.Source : source;
                return position;
            }

            position = _entries.Add(new WorkerStateEntry { Key = key, Hash = hash, InputHash = inputHash, AcceptedAt = acceptedAt, Names = AddNames(externalId, userName, null), Flags = flags, Source = source });
            Insert(key, position);
            return position;
        }

        /// <summary>Adds a worker as a state file holds it (loading).</summary>
        public void Load(string externalId, string userName, string lastError, ulong hash, ulong inputHash, long acceptedAt, WorkerStateFlags flags, byte source)
        {
            WorkerKey key = WorkerKey.Of(externalId);
            int position = _entries.Add(new WorkerStateEntry { Key = key, Hash = hash, InputHash = inputHash, AcceptedAt = acceptedAt, Names = AddNames(externalId, userName, lastError), Flags = flags, Source = source });
            Insert(key, position);
        }

        /// <summary>
        /// Adds a worker as a state file holds it, its names as UTF-8 (externalId, userName, last error, each
        /// <paramref name="lengths"/> long, one after the other), copied into the pool as they are. With
        /// <paramref name="indexed"/> false the table can be walked but not searched (a report): no key is computed.
        /// </summary>
        public void Load(byte[] names, (int ExternalId, int UserName, int LastError) lengths, ulong hash, ulong inputHash, long acceptedAt, WorkerStateFlags flags, byte source, bool indexed)
        {
            int start = _names.Count;
            AppendName(names.AsSpan(0, lengths.ExternalId));
            AppendName(names.AsSpan(lengths.ExternalId, lengths.UserName));
            AppendName(names.AsSpan(lengths.ExternalId + lengths.UserName, lengths.LastError));
            WorkerKey key = indexed ? WorkerKey.Of(Encoding.UTF8.GetString(names, 0, lengths.ExternalId)) : default;
            int position = _entries.Add(new WorkerStateEntry { Key = key, Hash = hash, InputHash = inputHash, AcceptedAt = acceptedAt, Names = start, Flags = flags, Source = source });
            if (indexed)
            {
                Insert(key, position);
            }
        }

        /// <summary>Sets (or, with null, clears) the error of the worker's last provisioning cycle.</summary>
        public void SetLastError(int position, string? error)
        {
            // A reason is for people to read: a long one is cut, so the pool never meets its 65,535-byte field limit.
            error = error is { Length: > 1000 } ? error.Substring(0, 1000) + "…" : error;
            if (!string.Equals(LastError(position), error ?? string.Empty, StringComparison.Ordinal))
            {
                _entries[position].Names = AddNames(ExternalId(position), UserName(position), error);
            }
        }

        /// <summary>The externalId as the service last received it.</summary>
        public string ExternalId(int position) => Name(_entries[position].Names, 0);

        /// <summary>The userName of the last accepted record (sent again with a leaver).</summary>
        public string UserName(int position) => Name(_entries[position].Names, 1);

        /// <summary>The error of the last provisioning cycle that failed on the worker ("code: reason"), or empty.</summary>
        public string LastError(int position) => Name(_entries[position].Names, 2);

        private int AddNames(string externalId, string? userName, string? lastError)
        {
            int start = _names.Count;
            Append(externalId);
            Append(userName ?? string.Empty);
            Append(lastError ?? string.Empty);
            return start;

            void Append(string text) => AppendName(Encoding.UTF8.GetBytes(text));
        }

        /// <summary>A name in the pool: its length in two bytes, then its UTF-8 bytes.</summary>
        private void AppendName(ReadOnlySpan<byte> bytes)
        {
            if (bytes.Length > ushort.MaxValue)
            {
                throw new ArgumentException("An externalId or userName longer than 65,535 bytes cannot be kept in the state.");
            }

            _names.Add((byte)(bytes.Length >> 8));
            _names.Add((byte)bytes.Length);
            _names.AddRange(bytes);
        }

        private string Name(int offset, int which)
        {
            int at = offset;
            for (int skip = 0; skip < which; skip++)
            {
                at += 2 + ((_names[at] << 8) | _names[at + 1]);
            }

            int length = (_names[at] << 8) | _names[at + 1];
            if (length == 0)
            {
                return string.Empty;
            }

            byte[] bytes = new byte[length];
            for (int i = 0; i < length; i++)
            {
                bytes[i] = _names[at + 2 + i];
            }

            return Encoding.UTF8.GetString(bytes);
        }

        private void Insert(WorkerKey key, int position) => _index.Add(new Keys(_entries), key, position, _entries.Count);

        private readonly struct Keys : IWorkerKeys
        {
            private readonly ChunkedList<WorkerStateEntry> _entries;

            public Keys(ChunkedList<WorkerStateEntry> entries) => _entries = entries;

            public WorkerKey KeyAt(int position) => _entries[position].Key;
        }
    }
}
