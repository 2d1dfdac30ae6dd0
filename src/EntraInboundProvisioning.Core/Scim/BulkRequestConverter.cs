using System;
using System.Collections.Generic;
using System.Linq;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Sources;
using EntraInboundProvisioning.State;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>
    /// Turns records into SCIM bulk requests: a run over one or more sources, each with its own mapping. Feed records
    /// with <see cref="Add(IRecord, int)"/>, end the run with <see cref="Complete"/>, and take the requests with
    /// <see cref="TryTake"/>. A <see cref="RecordConverter"/> per source writes each record's <c>data</c> object; with a
    /// run state the record is compared with what the service last accepted; an <see cref="OperationAssembler"/>
    /// decides which row of a repeated worker is sent and puts managers first. Problems with a record are reported to
    /// the diagnostics callback and that record is skipped; the others go on. Not thread-safe: one converter per run,
    /// fed from one thread.
    /// </summary>
    public sealed class BulkRequestConverter : IDisposable
    {
        /// <summary>The tenant's daily bulkUpload quota with P1/P2 (6,000 with Governance), until a send says otherwise.</summary>
        private const int DefaultDailyRequestLimit = 2000;

        private readonly ConversionOptions _options;
        private readonly Action<ConversionDiagnostic> _report;
        private readonly RecordConverter[] _sources;
        private readonly bool _orderManagers;
        private readonly bool _decidesLeavers;
        private readonly RunState? _state;
        private OperationAssembler? _assembler;
        private readonly int _workersInState;
        private readonly LeaverPlanner? _leavers;
        private bool _leaversPlanned;
        private long _indexedWithoutExternalId;
        private long _moversFromMappingChange;
        private string? _incomplete;
        private string? _leaversNote;
        private string? _firstInNoSource;
        private readonly List<(string ExternalId, string? LastError)> _disablesRetried = new List<(string, string?)>();
        private bool _whereFailed;

        /// <summary>Creates a converter for one mapping. The mapping should have passed <see cref="MappingValidator"/>.</summary>
        /// <exception cref="ArgumentException">The namespace URN is malformed, or the mapping has no <c>active</c> and <see cref="ConversionOptions.AllowMissingActive"/> is off.</exception>
        public BulkRequestConverter(AttributeMapping mapping, ConversionOptions? options, Action<ConversionDiagnostic> report)
            : this(new[] { new ConversionSource(mapping) }, options, null, report)
        {
        }

        /// <summary>Creates a converter for one mapping and a run state: only joiners, movers, retries and leavers are sent.</summary>
        /// <exception cref="ArgumentException">The namespace URN is malformed, or the mapping has no <c>active</c>.</exception>
        public BulkRequestConverter(AttributeMapping mapping, ConversionOptions? options, RunState? state, Action<ConversionDiagnostic> report)
            : this(new[] { new ConversionSource(mapping) }, options, state, report)
        {
        }

        /// <summary>
        /// Creates a converter for a run over one or more sources of one job, each with its own mapping; with a run
        /// state (-StatePath), only joiners, movers, retries and leavers are sent.
        /// </summary>
        /// <exception cref="ArgumentException">No source, a malformed namespace URN, or a mapping without <c>active</c>.</exception>
        public BulkRequestConverter(IReadOnlyList<ConversionSource> sources, ConversionOptions? options, RunState? state, Action<ConversionDiagnostic> report)
        {
            if (sources is null || sources.Count == 0)
            {
                throw new ArgumentException("A run needs at least one source.", nameof(sources));
            }

            _options = options ?? new ConversionOptions();
            _report = report ?? throw new ArgumentNullException(nameof(report));
            _sources = sources.Select(s => new RecordConverter(s, _options, report)).ToArray();
            UnmatchedDateAttributes = _sources.Skip(1).Aggregate((IEnumerable<string>)_sources[0].UnmatchedDateAttributes, (left, s) => left.Intersect(s.UnmatchedDateAttributes, StringComparer.OrdinalIgnoreCase)).ToList();
            _state = state;
            _workersInState = state?.Workers ?? 0;
            _decidesLeavers = _options.DecidesLeaversWith(state is not null);
            _orderManagers = _options.OrderManagersFirst && _sources.Any(s => s.MapsManager);
            if (state is not null)
            {
                _leavers = new LeaverPlanner(state, _options);
                MappingChanged = _sources.Any(s => state.ShapeChanged(s.Source.Name, s.Fingerprint));
            }
        }

        /// <summary>Records read so far (including skipped ones).</summary>
        public long RecordsRead { get; private set; }

        /// <summary>Records turned into operations (a repeated worker's rows included; see <see cref="Operations"/>).</summary>
        public long RecordsConverted { get; private set; }

        /// <summary>Records skipped because of an error.</summary>
        public long RecordsFailed { get; private set; }

        /// <summary>Records that had no externalId, so they cannot be matched to a worker at all.</summary>
        public long RecordsWithoutExternalId { get; private set; }

        /// <summary>Records left out by the externalId filter.</summary>
        public long RecordsFiltered { get; private set; }

        /// <summary>Records that no source of a run over several sources took (see <see cref="Route"/>): present, not sent.</summary>
        public long RecordsInNoSource { get; private set; }

        /// <summary>Rows left out because another row of the same worker is sent (see <see cref="ConversionOptions.DuplicateExternalId"/>).</summary>
        public long RecordsSuperseded => _assembler?.Superseded ?? 0;

        /// <summary>Operations the run sends: one per worker.</summary>
        public long Operations => _assembler?.Operations ?? 0;

        /// <summary>Requests completed so far.</summary>
        public int RequestsCompleted => _assembler?.RequestsCompleted ?? 0;

        /// <summary>True when requests come out as records arrive; false when the run holds them until <see cref="Complete"/>.</summary>
        public bool IsStreaming => _assembler?.IsStreaming ?? !OperationAssembler.NeedsWholeInput(_options, _orderManagers, _decidesLeavers);

        /// <summary>
        /// True when a caller that can read its input twice (CSV files) should first pass every record to
        /// <see cref="Index(IRecord, int)"/> and call <see cref="EndIndex"/>: the conversion pass then streams instead of
        /// holding every operation until the end. Pipeline input skips that and is held.
        /// </summary>
        public bool WantsIndex => _assembler is null ? OperationAssembler.NeedsWholeInput(_options, _orderManagers, _decidesLeavers) : _assembler is TwoPassAssembler { Indexing: true };

        /// <summary>Operations waiting right now for their manager (or, for pipeline input, for the end).</summary>
        public int OperationsWaiting => _assembler?.Waiting ?? 0;

        /// <summary>True when managers are sent before the workers who report to them.</summary>
        public bool OrdersManagers => _orderManagers;

        /// <summary>Bytes of held operations that went to the encrypted temporary file.</summary>
        public long SpilledBytes => _assembler?.SpilledBytes ?? 0;

        /// <summary>Names in <see cref="ConversionOptions.DateAttributes"/> that match no mapped attribute of any source.</summary>
        public IReadOnlyList<string> UnmatchedDateAttributes { get; }

        /// <summary>True when a source's mapping or the options that shape records differ from those of the state's last run.</summary>
        public bool MappingChanged { get; }

        /// <summary>Records passed to <see cref="Index(IRecord, int)"/>.</summary>
        public long RecordsIndexed { get; private set; }

        /// <summary>
        /// Which of <paramref name="candidates"/> (indexes of sources that read this record's file or pipeline) takes the
        /// record: the first whose Where accepts it. When none does, or a Where fails, the complement (~) of the first
        /// candidate: the record is then read with that source's mapping only for its externalId, so its worker counts
        /// as present (never a leaver) without being sent. Deterministic, so both passes route alike.
        /// </summary>
        /// <param name="record">The record.</param>
        /// <param name="candidates">The sources that read the record's input, in order.</param>
        /// <param name="report">False on a first (indexing) pass: a failing Where is reported once, by the pass that converts.</param>
        public int Route(IRecord record, IReadOnlyList<int> candidates, bool report = true)
        {
            foreach (int candidate in candidates)
            {
                Func<IRecord, bool>? where = _sources[candidate].Source.Where;
                if (where is null)
                {
                    return candidate;
                }

                try
                {
                    if (where(record))
                    {
                        return candidate;
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    if (report)
                    {
                        _whereFailed = true;
                        _report(new ConversionDiagnostic(DiagnosticSeverity.Error, "WhereFailed", $"{RecordConverter.Where(record)}: the Where of source '{_sources[candidate].Source}' failed: {ex.Message} The record is not converted; its worker is neither sent nor a leaver in this run.", record.Source, record.Number, exception: ex));
                    }

                    break;
                }
            }

            return ~candidates[0];
        }

        /// <summary>Converts one record of the (only) source.</summary>
        public void Add(IRecord record) => Add(record, 0);

        /// <summary>
        /// Converts one record of a source. Completed requests are taken with <see cref="TryTake"/>; most runs hold every
        /// operation until <see cref="Complete"/>, because the row that wins for a repeated worker and the order of
        /// managers are known only then. A negative source (<see cref="Route"/>) is a record no source took: its worker
        /// is present, never sent.
        /// </summary>
        public void Add(IRecord record, int source)
        {
            OperationAssembler assembler = Assembler(rereadable: false);
            RecordsRead++;
            bool whereFailed = _whereFailed;
            _whereFailed = false;
            RecordConverter converter = _sources[source < 0 ? ~source : source];
            string? externalId = converter.ReadExternalId(record);
            if (externalId is null)
            {
                RecordsFailed++;
                RecordsWithoutExternalId++;
                assembler.AddWithoutWorker();
                return;
            }

            if (_options.ExternalIdFilter is not null && !_options.ExternalIdFilter.Contains(externalId))
            {
                RecordsFiltered++;
                assembler.AddWithoutWorker();
                return;
            }

            WorkerKey key = WorkerKey.Of(externalId);
            if (source < 0)
            {
                // The worker is in the input, so not a leaver; but no source says how to map them: kept as they are.
                if (whereFailed)
                {
                    RecordsFailed++;
                }
                else
                {
                    RecordsInNoSource++;
                    _firstInNoSource ??= $"{RecordConverter.Where(record)}, externalId '{externalId}'";
                }

                assembler.AddNotSent(key, externalId, record.Source, record.Number);
                return;
            }

            if (!converter.TryConvert(record, externalId, out ReadOnlySpan<byte> data))
            {
                RecordsFailed++;
                assembler.AddNotSent(key, externalId, record.Source, record.Number);
                return;
            }

            RecordsConverted++;
            OperationKind kind = OperationKind.Record;
            ulong hash = 0;
            ulong inputHash = 0;
            if (_state is RunState state)
            {
                // Unchanged since the service last accepted it: not sent (unless -Full, or its last cycle failed).
                hash = RunState.HashOf(data);
                OperationKind? change = state.Classify(key, hash, _options.Full);
                if (change is null)
                {
                    assembler.AddNotSent(key, externalId, record.Source, record.Number, unchanged: true);
                    return;
                }

                // Only what is sent needs its input's hash (kept for the next run): a typical day hashes a few records.
                kind = change.Value;
                inputHash = InputHash.Of(record);
                _moversFromMappingChange += kind == OperationKind.Mover && state.InputUnchanged(key, inputHash) ? 1 : 0;
            }

            var facts = new OperationFacts(externalId, converter.UserName, converter.Active, left: false, hash, inputHash, converter.Source.Name);
            if (kind == OperationKind.Retry && converter.MapsActive && !converter.Active)
            {
                // HR says inactive, and the service refused this very record in its last cycle (a bad userName, a bad
                // value): sending it again fails again, and the account stays enabled until HR fixes the data. The
                // disable goes alone, as a leaver's does; the hash stays the full record's, so the record is not sent
                // again unless it changes or this disable fails too.
                _disablesRetried.Add((externalId, _state!.LastErrorOf(key)));
                assembler.Add(key, facts, converter.Manager, record.Source, record.Number, LeaverPlanner.Write(externalId, userName: null), kind);
                return;
            }

            assembler.Add(key, facts, converter.Manager, record.Source, record.Number, data, kind);
        }

        /// <summary>First pass over a re-readable input, for the (only) source.</summary>
        public void Index(IRecord record) => Index(record, 0);

        /// <summary>
        /// First pass over a re-readable input: reads only the record's externalId and manager, so that the second
        /// pass knows which row of each worker to send and which managers are coming. Reports nothing about the
        /// record itself (the conversion pass does); repeats are reported here. A source of -1: no source took it.
        /// </summary>
        public void Index(IRecord record, int source)
        {
            OperationAssembler assembler = Assembler(rereadable: true);
            RecordsIndexed++;
            RecordConverter converter = _sources[source < 0 ? ~source : source];
            converter.Silent = true;
            try
            {
                string? externalId = converter.ReadExternalId(record);
                if (externalId is null || (_options.ExternalIdFilter is not null && !_options.ExternalIdFilter.Contains(externalId)))
                {
                    _indexedWithoutExternalId += externalId is null ? 1 : 0;
                    assembler.IndexWithoutWorker();
                    return;
                }

                WorkerKey? manager = assembler.OrderManagers && source >= 0 ? converter.ReadManager(record, externalId) : null;
                assembler.Index(WorkerKey.Of(externalId), externalId, manager, record.Source, record.Number);
            }
            finally
            {
                converter.Silent = false;
            }
        }

        /// <summary>Ends the first pass. With a state, the leavers are decided now, before anything is sent.</summary>
        /// <exception cref="DuplicateExternalIdException">Under <see cref="DuplicateExternalIdHandling.Error"/>, when a worker repeats (each repeat reported first).</exception>
        /// <exception cref="TooManyLeaversException">More leavers than the threshold allows.</exception>
        public void EndIndex()
        {
            Assembler(rereadable: true).EndIndex();
            PlanLeavers(_indexedWithoutExternalId, RecordsIndexed);
        }

        /// <summary>
        /// Says that part of the input could not be read (a malformed row, an unreadable file): a worker in it would look
        /// like a leaver, so none is inferred in this run.
        /// </summary>
        public void MarkInputIncomplete(string why) => _incomplete ??= why;

        /// <summary>Takes the next completed request, if one is ready.</summary>
        public bool TryTake(out BulkRequest? request)
        {
            request = null;
            return _assembler is not null && _assembler.TryTake(out request);
        }

        /// <summary>
        /// Ends the run: decides what is held and completes every request (take them with <see cref="TryTake"/>).
        /// </summary>
        /// <exception cref="DuplicateExternalIdException">Under <see cref="DuplicateExternalIdHandling.Error"/>, when a worker repeats (each repeat was reported first).</exception>
        /// <exception cref="TooManyLeaversException">More leavers than the threshold allows (pipeline input); nothing was sent.</exception>
        public void Complete()
        {
            OperationAssembler assembler = Assembler(rereadable: false);
            assembler.EndInput();
            PlanLeavers(RecordsWithoutExternalId, RecordsRead);
            assembler.Complete();
        }

        /// <summary>What the run decided: counts by reason, requests, and the leaver check. Complete once every request is taken.</summary>
        public ConversionSummary Summary() => new ConversionSummary
        {
            StatePath = _state?.Path,
            Sources = _sources.Select(s => s.Source.Name).Where(n => n is not null).Cast<string>().ToArray(),
            RecordsRead = RecordsRead,
            RecordsWithErrors = RecordsFailed,
            RepeatedRowsLeftOut = RecordsSuperseded,
            RecordsInNoSource = RecordsInNoSource,
            WorkersInState = _workersInState,
            Joiners = Count(OperationKind.Joiner),
            Movers = Count(OperationKind.Mover),
            MoversFromMappingChange = _moversFromMappingChange,
            MappingChanged = MappingChanged,
            Leavers = Count(OperationKind.Leaver),
            Retries = Count(OperationKind.Retry),
            LeaverRetries = _leavers?.Retried.Count ?? 0,
            Refreshes = Count(OperationKind.Refresh),
            Records = Count(OperationKind.Record),
            Unchanged = _assembler?.Unchanged ?? 0,
            Operations = Operations,
            Requests = RequestsCompleted,
            LeaverThreshold = _state is null ? null : _options.LeaverThreshold.ToString(),
            LeaversInferred = _state is not null && _leaversNote is null,
            LeaversNote = _leaversNote,
            Full = _options.Full,
            DailyRequestLimit = _state is null ? null : _state.DailyRequestLimit ?? DefaultDailyRequestLimit,
            CompletedAt = DateTimeOffset.UtcNow,
        };

        /// <summary>
        /// Says what an admin must know of a plan before it is sent: records that no source took, movers that come from a
        /// mapping change rather than from HR, and a plan that needs more than a day of the request quota. Never silent
        /// about any of them.
        /// </summary>
        public void ReportPlan(ConversionSummary summary)
        {
            if (summary.RecordsInNoSource > 0)
            {
                _report(new ConversionDiagnostic(DiagnosticSeverity.Warning, "RecordsInNoSource", $"{summary.RecordsInNoSource:N0} record(s) matched no source's Where (first: {_firstInNoSource}). {(_state is null ? "They were not converted." : "Their workers were not sent and are not leavers: they stay as the service last saw them.")} Add a source for them, or correct the value their Where reads.", null, 0));
            }


            if (_disablesRetried.Count > 0)
            {
                string list = string.Join("; ", _disablesRetried.Take(10).Select(r => $"'{r.ExternalId}' ({r.LastError ?? "no reason logged"})")) + (_disablesRetried.Count > 10 ? $"; and {_disablesRetried.Count - 10:N0} more" : string.Empty);
                _report(new ConversionDiagnostic(DiagnosticSeverity.Warning, "DisableRetried", $"{_disablesRetried.Count:N0} worker(s) HR marks inactive whose last record failed in the provisioning cycle are sent as a disable only (externalId and active false), without the rest of the record the service refused: {list}. Fix the record in HR so it can go whole again; Get-ProvisioningState -ExternalId shows each one's last error.", null, 0));
            }

            if (summary.MoversFromMappingChange > 0)
            {
                string why = MappingChanged
                    ? $"The mapping or the options that shape records (-EmptyValue, -ScimSchemaNamespace, date attributes) changed since the state's last run{(_state?.SavedAt is DateTimeOffset saved ? $" ({saved:u})" : string.Empty)}: {summary.MoversFromMappingChange:N0} of the {summary.Movers:N0} movers changed only because of that, their input being the one last accepted."
                    : $"{summary.MoversFromMappingChange:N0} of the {summary.Movers:N0} movers have the same input as when they were last accepted: their records changed because the mapping or the options did (in an earlier run whose changes are still being sent), or because a scriptblock of the mapping reads something besides the record, such as the date.";
                _report(new ConversionDiagnostic(DiagnosticSeverity.Warning, "MoversFromMappingChange", why, null, 0));
            }

            if (summary.DaysNeeded is int days && days > 1)
            {
                _report(new ConversionDiagnostic(DiagnosticSeverity.Warning, "DailyRequestLimitExceeded", $"This run needs {summary.Requests:N0} requests, more than the daily request limit of {summary.DailyRequestLimit:N0} (the one the last Send-ScimBulkRequest with this state used, -DailyRequestLimit): Send-ScimBulkRequest sends what the limit allows and stops, and each next run sends what is left, {days} days in all. Nothing is lost meanwhile: unsent workers stay movers until the service accepts them.", null, 0));
            }
        }

        /// <summary>
        /// Records, in the state, the fingerprint of each source's mapping as this run used it; the state keeps them when
        /// the run's send commits. Call once the run is complete and real (not -WhatIf).
        /// </summary>
        public void NoteShapes()
        {
            foreach (RecordConverter source in _sources)
            {
                _state?.NoteShape(source.Source.Name, source.Fingerprint);
            }
        }

        /// <summary>
        /// With a state: finds the workers missing from the whole input, checks the new leavers against the threshold,
        /// and queues one operation each (externalId, active false), to go first: when the daily request limit cuts a
        /// run short, disables are what must not wait.
        /// </summary>
        private void PlanLeavers(long recordsWithoutExternalId, long recordsRead)
        {
            if (_leaversPlanned || _leavers is null)
            {
                return;
            }

            _leaversPlanned = true;
            if (!_decidesLeavers)
            {
                _leaversNote = _options.PartialInput ? "The input is partial (-PartialInput): nobody missing from it is a leaver." : "The run converts only some workers (-ExternalId): nobody missing from it is a leaver.";
                _report(new ConversionDiagnostic(DiagnosticSeverity.Warning, "LeaversNotInferred", _leaversNote, null, 0));
                return;
            }

            if (recordsWithoutExternalId > 0 && _incomplete is null)
            {
                _incomplete = $"{recordsWithoutExternalId} record(s) have no externalId";
            }

            if (_incomplete is not null)
            {
                _leaversNote = $"{_incomplete}; any worker there would look like a leaver, so none is inferred in this run.";
                _report(new ConversionDiagnostic(DiagnosticSeverity.Warning, "LeaversNotInferred", _leaversNote, null, 0));
                return;
            }

            OperationAssembler assembler = _assembler!;
            _leavers.Plan(assembler.Knows, recordsRead, _sources.Select(s => s.Source.Name).ToList(), _report);
            foreach (LeaverPlanner.Leaver leaver in _leavers.New.Concat(_leavers.Retried))
            {
                assembler.AddLeaver(leaver.Key, leaver.Facts, leaver.Data, leaver.Kind);
            }
        }

        /// <inheritdoc />
        public void Dispose()
        {
            foreach (RecordConverter source in _sources)
            {
                source.Dispose();
            }

            _assembler?.Dispose();
        }

        private long Count(OperationKind kind) => _assembler?.Count(kind) ?? 0;

        /// <summary>
        /// The assembler, chosen at the first record by how the input comes: indexed first (a re-readable input) or
        /// streamed (pipeline input); it never changes afterwards.
        /// </summary>
        private OperationAssembler Assembler(bool rereadable) => _assembler ??= OperationAssembler.Create(_options, _orderManagers, _decidesLeavers, _report, rereadable);
    }
}
