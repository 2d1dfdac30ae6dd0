using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EntraInboundProvisioning.Scim;

namespace EntraInboundProvisioning.State
{
    /// <summary>
    /// The run state of one provisioning job (-StatePath): what the service accepted for each worker, so a daily run
    /// of the full export sends only joiners, movers and leavers. One file a runbook can keep in a blob between runs.
    /// <para>
    /// While open it holds <c>&lt;file&gt;.lock</c>, so a second run on the same state refuses. Accepted records are
    /// appended to <c>&lt;file&gt;.journal</c> (flushed to disk) as they are accepted, and <see cref="Commit"/> writes
    /// the file beside the old one and renames it over it, then removes the journal: killed at any moment, the file
    /// is the old one or the new one, and the next run replays the journal, so nothing accepted is forgotten.
    /// </para>
    /// Shared by the cmdlets of one pipeline (same owner); not thread-safe.
    /// </summary>
    public sealed class RunState : IDisposable
    {
        private static readonly object Gate = new object();
        private static readonly Dictionary<string, RunState> Open = new Dictionary<string, RunState>(StringComparer.Ordinal);

        private readonly FileStream _lock;
        private readonly Guid _owner;
        private JsonObject _header;
        private FileStream? _journal;
        private int _users;
        private bool _dirty;

        private RunState(string path, FileStream lockFile, Guid owner, WorkerStateTable table, JsonObject header, int replayed)
        {
            Path = path;
            _lock = lockFile;
            _owner = owner;
            Table = table;
            _header = header;
            ReplayedFromJournal = replayed;
            _dirty = replayed > 0;
        }

        /// <summary>The state file.</summary>
        public string Path { get; }

        internal WorkerStateTable Table { get; }

        /// <summary>Workers the state knows.</summary>
        public int Workers => Table.Count;

        /// <summary>Records of an earlier, interrupted run recovered from the journal when the state was opened.</summary>
        public int ReplayedFromJournal { get; }

        /// <summary>The job the state belongs to (set by the first run that sent with it), or null.</summary>
        public string? JobId => _header["jobId"]?.GetValue<string>();

        /// <summary>The service principal the state belongs to, or null.</summary>
        public string? ServicePrincipalId => _header["servicePrincipalId"]?.GetValue<string>();

        /// <summary>When the state was last committed, or null for a new state.</summary>
        public DateTimeOffset? SavedAt => _header["savedAt"]?.GetValue<string>() is string text ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture) : null;

        /// <summary>The plan of the conversion that shares this state in the current run.</summary>
        public ConversionSummary? CurrentPlan { get; set; }

        /// <summary>The last run recorded in the file: what it planned and what was accepted.</summary>
        public RunRecord? LastRun => RunRecordJson.FromJson(_header["lastRun"]);

        /// <summary>Cmdlets of this pipeline that use the state right now.</summary>
        public int SharedBy => _users;

        /// <summary>
        /// Opens a state for an owner (a PowerShell runspace): the same owner shares the open state (converting and
        /// sending in one pipeline), anyone else is refused while it is open. A missing file is a new, empty state.
        /// </summary>
        /// <exception cref="RunStateInUseException">Another run holds the state.</exception>
        /// <exception cref="InvalidDataException">The file is not a state file or is damaged.</exception>
        public static RunState Acquire(string path, Guid owner)
        {
            string full = System.IO.Path.GetFullPath(path);
            lock (Gate)
            {
                if (Open.TryGetValue(full, out RunState? open))
                {
                    if (open._owner != owner)
                    {
                        throw new RunStateInUseException($"The state '{full}' is in use by another run in this process; wait for it to finish.");
                    }

                    open._users++;
                    return open;
                }

                RunState state = Load(full, owner);
                state._users = 1;
                Open.Add(full, state);
                return state;
            }
        }

        private static RunState Load(string path, Guid owner)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            FileStream lockFile;
            try
            {
                // Exclusive: another process (or a runbook job on the same worker) cannot open it while this run lives;
                // the operating system releases it when a process dies, so a killed run leaves no stale lock.
                lockFile = new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException ex)
            {
                throw new RunStateInUseException($"The state '{path}' is in use by another run (it holds '{path}.lock'). Two runs on one state would each send what the other already sent; wait for it to finish.", ex);
            }

            try
            {
                byte[] holder = Encoding.UTF8.GetBytes($"{{\"processId\":{System.Diagnostics.Process.GetCurrentProcess().Id},\"machine\":\"{Environment.MachineName}\",\"since\":\"{DateTimeOffset.UtcNow:o}\"}}\n");
                lockFile.SetLength(0);
                lockFile.Write(holder, 0, holder.Length);
                lockFile.Flush();

                // Files a commit killed mid-write left beside the state: never read, only in the way.
                foreach (string stale in Directory.GetFiles(System.IO.Path.GetDirectoryName(path)!, $".{System.IO.Path.GetFileName(path)}.*.tmp"))
                {
                    File.Delete(stale);
                }

                WorkerStateTable table;
                JsonObject header;
                if (File.Exists(path))
                {
                    (table, header) = StateFile.Read(path);
                }
                else
                {
                    table = new WorkerStateTable();
                    header = new JsonObject { ["createdAt"] = DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture) };
                }

                int replayed = ReplayJournal(path + ".journal", table);
                return new RunState(path, lockFile, owner, table, header, replayed);
            }
            catch
            {
                lockFile.Dispose();
                throw;
            }
        }

        /// <summary>
        /// Ties the state to the job it sends to, or refuses a state made for another job: its hashes say what that
        /// job's service accepted, not this one's.
        /// </summary>
        /// <exception cref="InvalidOperationException">The state belongs to another job.</exception>
        public void BindJob(string servicePrincipalId, string jobId)
        {
            if (JobId is string bound && !string.Equals(bound, jobId, StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"The state '{Path}' belongs to job {bound} of service principal {ServicePrincipalId}; this run sends to job {jobId}. Use one state file per job.");
            }

            if (JobId is null)
            {
                _header["servicePrincipalId"] = servicePrincipalId;
                _header["jobId"] = jobId;
                _dirty = true;
            }
        }

        /// <summary>
        /// Why a record is sent, given the hash of its data object: a joiner (unknown), a mover (changed), a retry
        /// (unchanged, but its last cycle failed), a refresh (unchanged, <paramref name="full"/>), or null: unchanged.
        /// </summary>
        internal OperationKind? Classify(WorkerKey key, ulong hash, bool full)
        {
            if (!Table.TryFind(key, out int position))
            {
                return OperationKind.Joiner;
            }

            ref WorkerStateEntry entry = ref Table[position];
            if (entry.Hash != hash)
            {
                return OperationKind.Mover;
            }

            if ((entry.Flags & WorkerStateFlags.Retry) != 0)
            {
                return OperationKind.Retry;
            }

            return full ? OperationKind.Refresh : null;
        }

        /// <summary>Workers whose last accepted record was active: the base of the leaver threshold.</summary>
        public int ActiveWorkers
        {
            get
            {
                int active = 0;
                for (int p = 0; p < Table.Count; p++)
                {
                    if ((Table[p].Flags & WorkerStateFlags.Active) != 0)
                    {
                        active++;
                    }
                }

                return active;
            }
        }

        /// <summary>Workers whose last provisioning cycle failed and who are sent again on the next run.</summary>
        public int PendingRetries
        {
            get
            {
                int retries = 0;
                for (int p = 0; p < Table.Count; p++)
                {
                    if ((Table[p].Flags & WorkerStateFlags.Retry) != 0)
                    {
                        retries++;
                    }
                }

                return retries;
            }
        }

        /// <summary>Active workers the state knows that <paramref name="present"/> says are not in this run's input.</summary>
        internal List<(string ExternalId, string UserName)> Leavers(Func<WorkerKey, bool> present)
        {
            var leavers = new List<(string, string)>();
            for (int p = 0; p < Table.Count; p++)
            {
                ref WorkerStateEntry entry = ref Table[p];
                if ((entry.Flags & WorkerStateFlags.Active) != 0 && !present(entry.Key))
                {
                    leavers.Add((Table.ExternalId(p), Table.UserName(p)));
                }
            }

            return leavers;
        }

        /// <summary>
        /// Records the operations of a request the service accepted (202): each worker's data object, its hash and
        /// whether it was active. Journaled and flushed to disk before it returns.
        /// </summary>
        public int RecordAccepted(string bulkRequestJson, DateTimeOffset acceptedAt)
        {
            using JsonDocument document = JsonDocument.Parse(bulkRequestJson);
            var operations = new List<AcceptedRecord>();
            foreach (JsonElement operation in document.RootElement.GetProperty("Operations").EnumerateArray())
            {
                if (!operation.TryGetProperty("data", out JsonElement data) || data.ValueKind != JsonValueKind.Object || !data.TryGetProperty("externalId", out JsonElement id) || id.GetString() is not string externalId)
                {
                    continue;
                }

                string raw = data.GetRawText();
                ulong hash = HashOf(Encoding.UTF8.GetBytes(raw));
                string? userName = data.TryGetProperty("userName", out JsonElement u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
                bool active = data.TryGetProperty("active", out JsonElement a) && a.ValueKind == JsonValueKind.True;
                bool left = !active && IsLeaver(data);
                operations.Add(new AcceptedRecord(externalId, userName, hash, active, left));
            }

            long at = acceptedAt.ToUnixTimeSeconds();
            AppendJournal(at, operations);
            foreach (AcceptedRecord record in operations)
            {
                Apply(Table, record, at);
            }

            _dirty = true;
            return operations.Count;
        }

        /// <summary>
        /// Learns a record's outcome in a provisioning cycle: a failure after the record was last accepted marks the
        /// worker to be sent again on the next run even if unchanged; a success clears that mark.
        /// </summary>
        /// <returns>True when the state changed.</returns>
        public bool RecordOutcome(string externalId, bool failed, DateTimeOffset at)
        {
            if (!Table.TryFind(WorkerKey.Of(externalId), out int position))
            {
                return false;
            }

            ref WorkerStateEntry entry = ref Table[position];
            if (at.ToUnixTimeSeconds() + 1 < entry.AcceptedAt)
            {
                return false; // an outcome of an older upload; the latest one is still to come
            }

            WorkerStateFlags before = entry.Flags;
            entry.Flags = failed ? entry.Flags | WorkerStateFlags.Retry : entry.Flags & ~WorkerStateFlags.Retry;
            _dirty |= before != entry.Flags;
            return before != entry.Flags;
        }

        /// <summary>
        /// Learns from a provisioning log entry: a failure, or a manager reference the service could not resolve
        /// (SkipReason UnableToResolveReferenceAttributeValue: the entry still says success), sends the record again
        /// on the next run.
        /// </summary>
        public bool RecordOutcome(Logs.ProvisioningLogEntry entry)
        {
            bool failed = string.Equals(entry.Status, "failure", StringComparison.OrdinalIgnoreCase)
                || entry.RawJson.IndexOf("UnableToResolveReferenceAttributeValue", StringComparison.Ordinal) >= 0;
            return entry.ExternalId.Length > 0 && RecordOutcome(entry.ExternalId, failed, entry.ActivityDateTime);
        }

        /// <summary>Writes the state (atomically) with a record of this run, then removes the journal.</summary>
        public void Commit(RunRecord? run = null)
        {
            if (run is not null)
            {
                _header["lastRun"] = RunRecordJson.ToJson(run);
                _dirty = true;
            }

            if (!_dirty && File.Exists(Path))
            {
                return;
            }

            _header["savedAt"] = DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture);
            StateFile.Write(Path, Table, _header);
            _journal?.Dispose();
            _journal = null;
            File.Delete(Path + ".journal");
            _dirty = false;
        }

        /// <summary>One user of the state is done; the last one closes it and releases the lock (without committing).</summary>
        public void Dispose()
        {
            lock (Gate)
            {
                if (--_users > 0)
                {
                    return;
                }

                Open.Remove(Path);
            }

            _journal?.Dispose();
            _lock.Dispose();
        }

        /// <summary>The hash a state keeps of a data object (low half of MurmurHash3 x64 128 over its UTF-8 JSON).</summary>
        internal static ulong HashOf(ReadOnlySpan<byte> data) => Internal.Murmur3.Hash128(data, 0x3f1c5b2a9d4e6071UL).Low;

        /// <summary>A leaver's data object carries only schemas, externalId, userName and active false.</summary>
        private static bool IsLeaver(JsonElement data)
        {
            foreach (JsonProperty property in data.EnumerateObject())
            {
                if (property.Name is not ("schemas" or "externalId" or "userName" or "active"))
                {
                    return false;
                }
            }

            return true;
        }

        private static void Apply(WorkerStateTable table, AcceptedRecord record, long at)
        {
            WorkerStateFlags flags = (record.Active ? WorkerStateFlags.Active : WorkerStateFlags.None) | (record.Left ? WorkerStateFlags.Left : WorkerStateFlags.None);
            table.Upsert(record.ExternalId, record.UserName, record.Hash, at, flags);
        }

        private void AppendJournal(long at, List<AcceptedRecord> operations)
        {
            _journal ??= new FileStream(Path + ".journal", FileMode.Append, FileAccess.Write, FileShare.Read, 4096);
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteNumber("at", at);
                writer.WriteStartArray("records");
                foreach (AcceptedRecord record in operations)
                {
                    writer.WriteStartObject();
                    writer.WriteString("x", record.ExternalId);
                    if (record.UserName is not null)
                    {
                        writer.WriteString("u", record.UserName);
                    }

                    writer.WriteString("h", record.Hash.ToString("x16", CultureInfo.InvariantCulture));
                    writer.WriteBoolean("a", record.Active);
                    writer.WriteBoolean("l", record.Left);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            buffer.WriteByte((byte)'\n');
            byte[] line = buffer.ToArray();
            _journal.Write(line, 0, line.Length);
            _journal.Flush(flushToDisk: true);
        }

        /// <summary>Applies what an interrupted run journaled; a line cut short by the crash is skipped (its request is re-sent, which is safe).</summary>
        internal static int ReplayJournal(string path, WorkerStateTable table)
        {
            if (!File.Exists(path))
            {
                return 0;
            }

            int replayed = 0;
            foreach (string line in File.ReadLines(path))
            {
                if (line.Trim().Length == 0)
                {
                    continue;
                }

                try
                {
                    using JsonDocument entry = JsonDocument.Parse(line);
                    long at = entry.RootElement.GetProperty("at").GetInt64();
                    foreach (JsonElement record in entry.RootElement.GetProperty("records").EnumerateArray())
                    {
                        var accepted = new AcceptedRecord(
                            record.GetProperty("x").GetString()!,
                            record.TryGetProperty("u", out JsonElement u) ? u.GetString() : null,
                            ulong.Parse(record.GetProperty("h").GetString()!, NumberStyles.HexNumber, CultureInfo.InvariantCulture),
                            record.GetProperty("a").GetBoolean(),
                            record.TryGetProperty("l", out JsonElement l) && l.GetBoolean());
                        Apply(table, accepted, at);
                        replayed++;
                    }
                }
                catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
                {
                    // The last line of a run killed while writing it.
                }
            }

            return replayed;
        }

        private readonly struct AcceptedRecord
        {
            public AcceptedRecord(string externalId, string? userName, ulong hash, bool active, bool left)
            {
                ExternalId = externalId;
                UserName = userName;
                Hash = hash;
                Active = active;
                Left = left;
            }

            public string ExternalId { get; }

            public string? UserName { get; }

            public ulong Hash { get; }

            public bool Active { get; }

            public bool Left { get; }
        }
    }

    /// <summary>Another run holds the state.</summary>
    public sealed class RunStateInUseException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public RunStateInUseException()
        {
        }

        /// <summary>Creates the exception.</summary>
        public RunStateInUseException(string message)
            : base(message)
        {
        }

        /// <summary>Creates the exception.</summary>
        public RunStateInUseException(string message, Exception inner)
            : base(message, inner)
        {
        }
    }
}
