using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using EntraInboundProvisioning.Scim;

namespace EntraInboundProvisioning.State
{
    /// <summary>
    /// The run state of one provisioning job (-StatePath): what the service accepted for each worker, so a daily run
    /// of the full export sends only joiners, movers and leavers. One file a runbook can keep in a blob between runs.
    /// <para>
    /// While open it holds <c>&lt;file&gt;.lock</c> (<see cref="StateLock"/>), so a second run on the same state refuses.
    /// Accepted records are appended to <c>&lt;file&gt;.journal</c> (<see cref="StateJournal"/>) as they are accepted, and
    /// <see cref="Commit"/> writes the file beside the old one and renames it over it, then removes the journal: killed
    /// at any moment, the file is the old one or the new one, and the next run replays the journal, so nothing accepted
    /// is forgotten.
    /// </para>
    /// Shared by the cmdlets of one pipeline (same owner, see <see cref="Acquire"/>); not thread-safe.
    /// </summary>
    public sealed class RunState : IDisposable
    {
        private readonly StateLock _lock;
        private readonly StateHeader _header;
        private readonly StateJournal _journal;
        private readonly Dictionary<string, string> _shapes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        private RunRecord? _recovered;
        private bool _dirty;

        private RunState(string path, StateLock stateLock, Guid owner, WorkerStateTable table, StateHeader header, StateJournal.Replayed replayed)
        {
            Path = path;
            _lock = stateLock;
            Owner = owner;
            Table = table;
            _header = header;
            _journal = new StateJournal(StateFiles.Journal(path));
            ReplayedFromJournal = replayed.Records;
            if (replayed.Ran)
            {
                // The run that journaled these ended before it saved: until a run saves its own record, it is the last run.
                _recovered = replayed.ToRunRecord();
                _dirty = true;
            }
        }

        /// <summary>The state file.</summary>
        public string Path { get; }

        internal Guid Owner { get; }

        internal WorkerStateTable Table { get; }

        /// <summary>Workers the state knows.</summary>
        public int Workers => Table.Count;

        /// <summary>Records of an earlier, interrupted run recovered from the journal when the state was opened.</summary>
        public int ReplayedFromJournal { get; }

        /// <summary>The job the state belongs to (set by the first run that sent with it), or null.</summary>
        public string? JobId => _header.JobId;

        /// <summary>The service principal the state belongs to, or null.</summary>
        public string? ServicePrincipalId => _header.ServicePrincipalId;

        /// <summary>When the state was last committed, or null for a new state.</summary>
        public DateTimeOffset? SavedAt => _header.SavedAt;

        /// <summary>The plan of this run's conversion (<see cref="RecordPlan"/>), saved with the run's record.</summary>
        public ConversionSummary? Plan { get; private set; }

        /// <summary>
        /// The last run: the one recorded in the file (what it planned and what was accepted), or, when a run ended before
        /// it could save, that run as its journal tells it.
        /// </summary>
        public RunRecord? LastRun => _recovered ?? _header.LastRun;

        /// <summary>
        /// The runs on record, oldest first: those the file keeps (at most <see cref="HistoryLimit"/>), then a run that
        /// ended before it could save, as its journal tells it.
        /// </summary>
        public IReadOnlyList<RunRecord> History => _recovered is null ? _header.History : _header.History.Concat(new[] { _recovered }).ToList();

        /// <summary>How many runs the state keeps in its history (400 by default); saved with the next commit.</summary>
        public int HistoryLimit
        {
            get => _header.HistoryLimit;
            set
            {
                if (value < 1)
                {
                    throw new ArgumentOutOfRangeException(nameof(value), "A history keeps at least one run.");
                }

                _dirty |= value != _header.HistoryLimit;
                _header.HistoryLimit = value;
            }
        }

        /// <summary>
        /// Calls to bulkUpload the runs on record made in the 24 hours before <paramref name="now"/>: what they took from
        /// the tenant's daily request quota (a run recovered from its journal counts its accepted requests).
        /// </summary>
        public int CallsInLast24Hours(DateTimeOffset now) => RunHistory.CallsInLast24Hours(History, now);

        /// <summary>Cmdlets of this pipeline that use the state right now.</summary>
        public int SharedBy => StateRegistry.Users(this);

        /// <summary>The daily request limit the last send with this state used (what a plan is measured against), or null.</summary>
        public int? DailyRequestLimit
        {
            get => _header.DailyRequestLimit;
            set
            {
                if (_header.DailyRequestLimit != value)
                {
                    _header.DailyRequestLimit = value;
                    _dirty = true;
                }
            }
        }

        /// <summary>Requests whose acceptance this open state recorded (this run's, not a replayed journal's).</summary>
        public int AcceptedRequests { get; private set; }

        /// <summary>Records in those requests.</summary>
        public long AcceptedRecords { get; private set; }

        /// <summary>
        /// Opens a state for an owner (a PowerShell runspace): the same owner shares the open state (converting and
        /// sending in one pipeline), anyone else is refused while it is open. A missing file is a new, empty state.
        /// </summary>
        /// <exception cref="RunStateInUseException">Another run holds the state.</exception>
        /// <exception cref="StateLockedException">Another process holds the state file or its journal open.</exception>
        /// <exception cref="InvalidDataException">The file is not a state file or is damaged.</exception>
        public static RunState Acquire(string path, Guid owner) => StateRegistry.Acquire(System.IO.Path.GetFullPath(path), owner, Load);

        private static RunState Load(string path, Guid owner)
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
            StateLock stateLock = StateLock.Take(path);
            try
            {
                // Files a commit killed mid-write left beside the state: never read, only in the way.
                foreach (string stale in Directory.GetFiles(System.IO.Path.GetDirectoryName(path)!, StateFiles.TemporaryPattern(path)))
                {
                    File.Delete(stale);
                }

                (WorkerStateTable table, StateHeader header) = Open(path);
                StateJournal.Replayed replayed = StateJournal.Replay(StateFiles.Journal(path), (fact, at) => Apply(table, header, fact, at));
                return new RunState(path, stateLock, owner, table, header, replayed);
            }
            catch
            {
                stateLock.Dispose();
                throw;
            }
        }

        /// <summary>Reads a state file, or starts an empty state when there is none.</summary>
        internal static (WorkerStateTable Table, StateHeader Header) Open(string path, bool indexed = true)
        {
            if (!File.Exists(path))
            {
                return (new WorkerStateTable(), StateHeader.New());
            }

            try
            {
                (WorkerStateTable table, System.Text.Json.Nodes.JsonObject json) = StateFile.Read(path, indexed);
                return (table, new StateHeader(json));
            }
            catch (IOException ex) when (StateLockedException.IsHeldElsewhere(ex))
            {
                throw StateLockedException.For(path, ex);
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
                _header.BindJob(servicePrincipalId, jobId);
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

        /// <summary>The reason the worker's last cycle failed, or null.</summary>
        internal string? LastErrorOf(WorkerKey key)
            => Table.TryFind(key, out int position) && Table.LastError(position) is { Length: > 0 } error ? error : null;

        /// <summary>
        /// True when the worker's input record is the one last accepted (both hashes known): a mover then comes from the
        /// mapping or the options, not from the data.
        /// </summary>
        internal bool InputUnchanged(WorkerKey key, ulong inputHash)
            => inputHash != 0 && Table.TryFind(key, out int position) && Table[position].InputHash == inputHash;

        /// <summary>Workers whose last accepted record was active: the base of the leaver threshold.</summary>
        public int ActiveWorkers => Count(WorkerStateFlags.Active);

        /// <summary>Workers whose last provisioning cycle failed and who are sent again on the next run.</summary>
        public int PendingRetries => Count(WorkerStateFlags.Retry);

        /// <summary>
        /// Disables no cycle has confirmed yet: leavers sent and waiting for their outcome, or failed and sent again; and
        /// workers HR marks inactive whose last record failed in its cycle (their account may still be enabled).
        /// </summary>
        public int DisablesPending
        {
            get
            {
                int pending = 0;
                for (int p = 0; p < Table.Count; p++)
                {
                    pending += ProvisioningStateReader.DisablePending(Table[p].Flags) ? 1 : 0;
                }

                return pending;
            }
        }

        /// <summary>
        /// Workers the state knows that <paramref name="present"/> says are not in this run's input, and that need a
        /// disable: those whose last accepted record was active (new leavers), and those whose last record was inactive
        /// but failed in its cycle (a leaver, or a worker HR marked inactive, whose disable did not happen).
        /// </summary>
        internal List<MissingWorker> Missing(Func<WorkerKey, bool> present)
        {
            var missing = new List<MissingWorker>();
            for (int p = 0; p < Table.Count; p++)
            {
                ref WorkerStateEntry entry = ref Table[p];
                bool active = (entry.Flags & WorkerStateFlags.Active) != 0;
                bool failed = (entry.Flags & WorkerStateFlags.Retry) != 0;
                if ((active || failed) && !present(entry.Key))
                {
                    string lastError = Table.LastError(p);
                    missing.Add(new MissingWorker(entry.Key, Table.ExternalId(p), Table.UserName(p), isNew: active, failed, lastError.Length == 0 ? null : lastError, _header.SourceName(entry.Source)));
                }
            }

            return missing;
        }

        /// <summary>
        /// Records the plan of this run's conversion; the commit that saves the run's record keeps it. A -WhatIf plan
        /// converted nothing and is not recorded (false).
        /// </summary>
        public bool RecordPlan(ConversionSummary plan)
        {
            if (plan.WhatIf)
            {
                return false;
            }

            Plan = plan;
            return true;
        }

        /// <summary>True when this source's mapping fingerprint differs from the one the state last saved for it.</summary>
        internal bool ShapeChanged(string? source, string fingerprint) => _header.Shape(source) is string saved && !string.Equals(saved, fingerprint, StringComparison.Ordinal);

        /// <summary>Notes a source's mapping fingerprint, saved with the next commit that records accepted requests.</summary>
        internal void NoteShape(string? source, string fingerprint) => _shapes[source ?? string.Empty] = fingerprint;

        /// <summary>The run is about to make its <paramref name="calls"/>th call to bulkUpload (see <see cref="StateJournal.AppendCalls"/>).</summary>
        public void RecordCallStarting(int calls) => _journal.AppendCalls(DateTimeOffset.UtcNow.ToUnixTimeSeconds(), calls);

        /// <summary>
        /// Records the operations of a request the service accepted (202) from the facts the conversion gave the
        /// request; a request without facts (made elsewhere) is read by <see cref="BulkRequestReader"/>. Journaled and
        /// flushed to disk before it returns.
        /// </summary>
        public int RecordAccepted(BulkRequest request, DateTimeOffset acceptedAt)
        {
            IReadOnlyList<OperationFacts> facts = request.Facts is { } known && AllHashed(known) ? known : BulkRequestReader.ReadFacts(request.Json);
            long at = acceptedAt.ToUnixTimeSeconds();
            _journal.Append(at, facts);
            foreach (OperationFacts fact in facts)
            {
                Apply(Table, _header, fact, at);
            }

            AcceptedRequests++;
            AcceptedRecords += facts.Count;
            _dirty = true;
            return facts.Count;
        }

        /// <summary>
        /// Records what a send result says the service accepted (Accepted, or AlreadyAccepted: the same content in an
        /// earlier run): the records of the request it answers. Any other result records nothing.
        /// </summary>
        /// <returns>The records recorded.</returns>
        public int RecordAccepted(Sending.BulkUploadResult result)
            => result.Status is Sending.BulkUploadStatus.Accepted or Sending.BulkUploadStatus.AlreadyAccepted && result.Request is BulkRequest request
                ? RecordAccepted(request, result.AcceptedAt ?? DateTimeOffset.UtcNow)
                : 0;

        /// <summary>Records an accepted request given as its JSON document (a request file sent with -Path).</summary>
        public int RecordAccepted(string bulkRequestJson, DateTimeOffset acceptedAt) => RecordAccepted(BulkRequestReader.Parse(bulkRequestJson), acceptedAt);

        /// <summary>
        /// Learns a record's outcome in a provisioning cycle: a failure after the record was last accepted marks the
        /// worker to be sent again on the next run even if unchanged, and keeps the reason; a success clears both. Either
        /// way the record's outcome is known (a leaver's disable is no longer pending).
        /// </summary>
        /// <returns>True when the state changed.</returns>
        public bool RecordOutcome(string externalId, bool failed, DateTimeOffset at, string? error = null)
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
            entry.Flags = (failed ? entry.Flags | WorkerStateFlags.Retry : entry.Flags & ~WorkerStateFlags.Retry) & ~WorkerStateFlags.Pending;
            if ((before & WorkerStateFlags.Pending) != 0 && RunThatSent(entry.AcceptedAt) is RunRecord run)
            {
                // The first outcome of this acceptance: counted once, for the run that sent it.
                run.CycleFailures += failed ? 1 : 0;
                run.CycleSuccesses += failed ? 0 : 1;
            }

            string lastError = Table.LastError(position);
            Table.SetLastError(position, failed ? error ?? "The provisioning cycle failed on this record." : null);
            bool changed = before != entry.Flags || !string.Equals(lastError, Table.LastError(position), StringComparison.Ordinal);
            _dirty |= changed;
            return changed;
        }

        /// <summary>The run on record that was sending at <paramref name="acceptedAt"/> (Unix seconds), or null.</summary>
        private RunRecord? RunThatSent(long acceptedAt) => RunHistory.RunThatSent(_header.History, _recovered, acceptedAt);

        /// <summary>Learns from a provisioning log entry (see <see cref="OutcomeRules"/>).</summary>
        public bool RecordOutcome(Logs.ProvisioningLogEntry entry)
            => entry.ExternalId.Length > 0 && RecordOutcome(entry.ExternalId, OutcomeRules.IsFailure(entry), entry.ActivityDateTime, OutcomeRules.Reason(entry));

        /// <summary>
        /// Puts a run refused before it sent anything on the state's record, so the day's report says the run was refused
        /// instead of showing the run before as the last one. A state never saved keeps no record (it has no run to
        /// compare with yet); false then.
        /// </summary>
        /// <exception cref="IOException">The state could not be written.</exception>
        public bool RecordRefusal(DateTimeOffset startedAt, string errorId, string message)
        {
            if (SavedAt is null)
            {
                return false;
            }

            Commit(new RunRecord { StartedAt = startedAt, CompletedAt = DateTimeOffset.UtcNow, JobId = JobId, Refused = $"{errorId}: {message}" });
            return true;
        }

        /// <summary>Writes the state (atomically) with a record of this run, then removes the journal.</summary>
        public void Commit(RunRecord? run = null)
        {
            if (_recovered is not null)
            {
                // A run that ended before it could save goes on record as its journal told it, before this one.
                _header.AddRun(_recovered);
                _recovered = null;
            }

            if (run is not null)
            {
                run.Plan ??= Plan;
                _header.AddRun(run);
                foreach (KeyValuePair<string, string> shape in _shapes)
                {
                    _header.SetShape(shape.Key.Length == 0 ? null : shape.Key, shape.Value);
                }

                _dirty = true;
            }

            if (!_dirty && File.Exists(Path))
            {
                return;
            }

            _header.SavedAt = DateTimeOffset.UtcNow;
            _header.Flush();
            StateFile.Write(Path, Table, _header.Json);
            _journal.Delete();
            _dirty = false;
        }

        /// <summary>One user of the state is done; the last one closes it and releases the lock (without committing).</summary>
        public void Dispose()
        {
            if (StateRegistry.Release(this))
            {
                _journal.Dispose();
                _lock.Dispose();
            }
        }

        /// <summary>The hash a state keeps of a data object (low half of MurmurHash3 x64 128 over its UTF-8 JSON).</summary>
        internal static ulong HashOf(ReadOnlySpan<byte> data) => Internal.Murmur3.Hash128(data, 0x3f1c5b2a9d4e6071UL).Low;

        private int Count(WorkerStateFlags flag)
        {
            int count = 0;
            for (int p = 0; p < Table.Count; p++)
            {
                count += (Table[p].Flags & flag) != 0 ? 1 : 0;
            }

            return count;
        }

        private static bool AllHashed(IReadOnlyList<OperationFacts> facts)
        {
            foreach (OperationFacts fact in facts)
            {
                if (fact.Hash == 0)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>What the service accepted for a worker; its outcome is pending until a cycle says.</summary>
        internal static void Apply(WorkerStateTable table, StateHeader header, OperationFacts record, long at)
        {
            WorkerStateFlags flags = WorkerStateFlags.Pending | (record.Active ? WorkerStateFlags.Active : WorkerStateFlags.None) | (record.Left ? WorkerStateFlags.Left : WorkerStateFlags.None);
            table.Upsert(record.ExternalId, record.UserName, record.Hash, record.InputHash, at, flags, header.SourceIndex(record.Source));
        }
    }
}
