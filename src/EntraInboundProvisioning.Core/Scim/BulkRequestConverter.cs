using System;
using System.Collections.Generic;
using System.Text.Json;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Sources;
using EntraInboundProvisioning.State;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>
    /// Turns records into SCIM bulk requests with a mapping. Feed records with <see cref="Add"/>, end the run with
    /// <see cref="Complete"/>, and take the requests with <see cref="TryTake"/>. Each record becomes the user's
    /// <c>data</c> object; an <see cref="OperationAssembler"/> decides which row of a repeated worker is sent and
    /// puts managers first. Problems with a record are reported to the diagnostics callback and that record is
    /// skipped; the others go on. Not thread-safe: one converter per run, fed from one thread.
    /// </summary>
    public sealed class BulkRequestConverter : IDisposable
    {
        private static readonly JsonEncodedText SchemasName = JsonEncodedText.Encode("schemas");

        private readonly MappingPlan _plan;
        private readonly ConversionOptions _options;
        private readonly Action<ConversionDiagnostic> _report;
        private readonly OperationAssembler _assembler;
        private readonly HashSet<string> _reportedNamespaceColumns = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> _namespaceDates = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private readonly System.IO.MemoryStream _data = new System.IO.MemoryStream(4 * 1024);
        private readonly Utf8JsonWriter _writer;
        private readonly List<string> _schemas = new List<string>(4);
        private readonly object?[] _coreValues;
        private readonly object?[] _extensionValues;
        private readonly int _userNameIndex;
        private readonly int _activeIndex;
        private readonly ScimDate _dates;
        private readonly PlanNode? _managerNode;
        private readonly int _workersInState;
        private bool _indexing;
        private bool _leaversPlanned;
        private long _indexedWithoutExternalId;
        private string? _incomplete;
        private string? _leaversNote;

        /// <summary>Creates a converter. The mapping should have passed <see cref="MappingValidator"/>.</summary>
        /// <exception cref="ArgumentException">The namespace URN is malformed, or the mapping has no <c>active</c> and <see cref="ConversionOptions.AllowMissingActive"/> is off.</exception>
        public BulkRequestConverter(AttributeMapping mapping, ConversionOptions? options, Action<ConversionDiagnostic> report)
        {
            _plan = new MappingPlan(mapping);
            _options = options ?? new ConversionOptions();
            _report = report ?? throw new ArgumentNullException(nameof(report));
            _writer = new Utf8JsonWriter(_data, BulkRequestWriter.WriterOptions);
            _coreValues = new object?[_plan.Core.Length];
            _extensionValues = new object?[_plan.Extensions.Length];
            _userNameIndex = _plan.UserName is null ? -1 : Array.IndexOf(_plan.Core, _plan.UserName);
            _activeIndex = _plan.Active is null ? -1 : Array.IndexOf(_plan.Core, _plan.Active);
            _dates = _options.Dates ?? ScimDate.Default;
            if (_options.ScimSchemaNamespace is not null && !ScimSchemas.IsWellFormedExtensionUrn(_options.ScimSchemaNamespace))
            {
                throw new ArgumentException($"'{_options.ScimSchemaNamespace}' is not a well-formed extension URN (for example '{ScimSchemas.ExtensionPrefix}contoso:1.0:User').", nameof(options));
            }

            if (_plan.Active is null && !_options.AllowMissingActive)
            {
                throw new ArgumentException(MappingValidator.ActiveNotMappedMessage, nameof(mapping));
            }

            UnmatchedDateAttributes = MarkDates();
            _workersInState = _options.State?.Workers ?? 0;
            _assembler = new OperationAssembler(_options, _options.OrderManagersFirst && _plan.MapsManager, _report);
            _managerNode = _plan.EnterpriseIndex < 0 ? null : Array.Find(_plan.Extensions[_plan.EnterpriseIndex].Children, c => string.Equals(c.Name, "manager", StringComparison.OrdinalIgnoreCase));
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

        /// <summary>Rows left out because another row of the same worker is sent (see <see cref="ConversionOptions.DuplicateExternalId"/>).</summary>
        public long RecordsSuperseded => _assembler.Superseded;

        /// <summary>Operations the run sends: one per worker.</summary>
        public long Operations => _assembler.Operations;

        /// <summary>Requests completed so far.</summary>
        public int RequestsCompleted => _assembler.RequestsCompleted;

        /// <summary>True when requests come out as records arrive; false when the run holds them until <see cref="Complete"/>.</summary>
        public bool IsStreaming => _assembler.IsStreaming;

        /// <summary>
        /// True when a caller that can read its input twice (CSV files) should first pass every record to
        /// <see cref="Index"/> and call <see cref="EndIndex"/>: the conversion pass then streams instead of holding
        /// every operation until the end. Pipeline input skips that and is held.
        /// </summary>
        public bool WantsIndex => _assembler.WantsIndex;

        /// <summary>Operations waiting right now for their manager (or, for pipeline input, for the end).</summary>
        public int OperationsWaiting => _assembler.Waiting;

        /// <summary>True when managers are sent before the workers who report to them.</summary>
        public bool OrdersManagers => _assembler.OrderManagers;

        /// <summary>Bytes of held operations that went to the encrypted temporary file.</summary>
        public long SpilledBytes => _assembler.SpilledBytes;

        /// <summary>Names in <see cref="ConversionOptions.DateAttributes"/> that match no mapped attribute.</summary>
        public IReadOnlyList<string> UnmatchedDateAttributes { get; }

        /// <summary>
        /// Converts one record. Completed requests are taken with <see cref="TryTake"/>; most runs hold every
        /// operation until <see cref="Complete"/>, because the row that wins for a repeated worker and the order of
        /// managers are known only then.
        /// </summary>
        public void Add(IRecord record)
        {
            RecordsRead++;
            bool externalIdFailed = false;
            object? externalIdValue = _plan.ExternalId is null ? ScimValue.Empty : Evaluate(_plan.ExternalId, record, null, out externalIdFailed);
            if (externalIdFailed)
            {
                RecordsFailed++;
                RecordsWithoutExternalId++;
                _assembler.AddWithoutWorker();
                return;
            }

            string? externalId = externalIdValue as string;
            if (externalId is null)
            {
                RecordsFailed++;
                RecordsWithoutExternalId++;
                string column = _plan.ExternalId?.Source.Column is { } c ? $" (column '{c}')" : string.Empty;
                Report(new ConversionDiagnostic(DiagnosticSeverity.Error, "MissingExternalId", $"{Where(record)}: externalId{column} is empty; the record is skipped. Every record needs a unique, stable externalId.", record.Source, record.Number, "externalId"));
                _assembler.AddWithoutWorker();
                return;
            }

            if (_options.ExternalIdFilter is not null && !_options.ExternalIdFilter.Contains(externalId))
            {
                RecordsFiltered++;
                _assembler.AddWithoutWorker();
                return;
            }

            bool failed = false;
            for (int i = 0; i < _plan.Core.Length; i++)
            {
                PlanNode node = _plan.Core[i];
                if (ReferenceEquals(node, _plan.ExternalId))
                {
                    _coreValues[i] = externalId;
                    continue;
                }

                _coreValues[i] = Evaluate(node, record, externalId, out bool f);
                failed |= f;
            }

            for (int i = 0; i < _plan.Extensions.Length; i++)
            {
                _extensionValues[i] = Evaluate(_plan.Extensions[i], record, externalId, out bool f);
                failed |= f;
            }

            if (_userNameIndex >= 0 && !failed && !IsPresent(_coreValues[_userNameIndex]))
            {
                failed = true;
                string column = _plan.UserName!.Source.Column is { } c ? $" (column '{c}')" : string.Empty;
                Report(new ConversionDiagnostic(DiagnosticSeverity.Error, "MissingUserName", $"{Where(record)}: userName{column} is empty for externalId '{externalId}'; the record is skipped.", record.Source, record.Number, "userName", externalId));
            }

            // The service disables the account of a record without active (AzureAD/entra-id-inbound-provisioning#16).
            if (_activeIndex >= 0 && !failed && !_options.AllowMissingActive && _coreValues[_activeIndex] is not bool)
            {
                failed = true;
                string column = _plan.Active!.Source.Column is { } c ? $" (column '{c}')" : string.Empty;
                Report(new ConversionDiagnostic(DiagnosticSeverity.Error, "MissingActive", $"{Where(record)}: active{column} is empty for externalId '{externalId}'; the record is not sent, because the provisioning service disables the account of a record without active. Fix the value (true/false), or use -AllowMissingActive if the provisioning app does not map active.", record.Source, record.Number, "active", externalId));
            }

            WorkerKey key = WorkerKey.Of(externalId);
            if (failed)
            {
                RecordsFailed++;
                _assembler.AddNotSent(key, externalId, record.Source, record.Number);
                return;
            }

            ReadOnlySpan<byte> data;
            try
            {
                data = WriteData(record);
            }
            catch (NamespaceDateException ex)
            {
                RecordsFailed++;
                Report(new ConversionDiagnostic(DiagnosticSeverity.Error, "InvalidAttributeValue", ex.Message, record.Source, record.Number, $"{_options.ScimSchemaNamespace}:{ex.Column}", externalId, ex.InnerException));
                _assembler.AddNotSent(key, externalId, record.Source, record.Number);
                return;
            }

            RecordsConverted++;
            OperationKind kind = OperationKind.Record;
            if (_options.State is RunState state)
            {
                // Unchanged since the service last accepted it: not sent (unless -Full, or its last cycle failed).
                OperationKind? change = state.Classify(key, RunState.HashOf(data), _options.Full);
                if (change is null)
                {
                    _assembler.AddNotSent(key, externalId, record.Source, record.Number, unchanged: true);
                    return;
                }

                kind = change.Value;
            }

            _assembler.Add(key, externalId, ManagerOf(), record.Source, record.Number, data, kind);
        }

        /// <summary>
        /// First pass over a re-readable input: reads only the record's externalId and manager, so that the second
        /// pass knows which row of each worker to send and which managers are coming. Reports nothing about the
        /// record itself (the conversion pass does); repeats are reported here.
        /// </summary>
        public void Index(IRecord record)
        {
            RecordsIndexed++;
            _indexing = true;
            try
            {
                string? externalId = _plan.ExternalId is null ? null : Evaluate(_plan.ExternalId, record, null, out bool failed) as string;
                if (externalId is null || (_options.ExternalIdFilter is not null && !_options.ExternalIdFilter.Contains(externalId)))
                {
                    _indexedWithoutExternalId += externalId is null ? 1 : 0;
                    _assembler.IndexWithoutWorker();
                    return;
                }

                WorkerKey? manager = null;
                if (_managerNode is not null && _assembler.OrderManagers)
                {
                    manager = ManagerKey(Evaluate(_managerNode, record, externalId, out _));
                }

                _assembler.Index(WorkerKey.Of(externalId), externalId, manager, record.Source, record.Number);
            }
            finally
            {
                _indexing = false;
            }
        }

        /// <summary>Records passed to <see cref="Index"/>.</summary>
        public long RecordsIndexed { get; private set; }

        /// <summary>Ends the first pass. With a state, the leavers are decided now, before anything is sent.</summary>
        /// <exception cref="DuplicateExternalIdException">Under <see cref="DuplicateExternalIdHandling.Error"/>, when a worker repeats (each repeat reported first).</exception>
        /// <exception cref="TooManyLeaversException">More leavers than the threshold allows.</exception>
        public void EndIndex()
        {
            _assembler.EndIndex();
            PlanLeavers(_indexedWithoutExternalId);
        }

        /// <summary>
        /// Says that part of the input could not be read (a malformed row, an unreadable file): a worker in it would look
        /// like a leaver, so none is inferred in this run.
        /// </summary>
        public void MarkInputIncomplete(string why) => _incomplete ??= why;

        /// <summary>Takes the next completed request, if one is ready.</summary>
        public bool TryTake(out BulkRequest? request) => _assembler.TryTake(out request);

        /// <summary>
        /// Ends the run: decides what is held and completes every request (take them with <see cref="TryTake"/>).
        /// </summary>
        /// <exception cref="DuplicateExternalIdException">Under <see cref="DuplicateExternalIdHandling.Error"/>, when a worker repeats (each repeat was reported first).</exception>
        /// <exception cref="TooManyLeaversException">More leavers than the threshold allows (pipeline input); nothing was sent.</exception>
        public void Complete()
        {
            _assembler.EndInput();
            PlanLeavers(RecordsWithoutExternalId);
            _assembler.Complete();
        }

        /// <summary>What the run decided: counts by reason, requests, and the leaver check. Complete once every request is taken.</summary>
        public ConversionSummary Summary() => new ConversionSummary
        {
            StatePath = _options.State?.Path,
            RecordsRead = RecordsRead,
            RecordsWithErrors = RecordsFailed,
            RepeatedRowsLeftOut = RecordsSuperseded,
            WorkersInState = _workersInState,
            Joiners = _assembler.Count(OperationKind.Joiner),
            Movers = _assembler.Count(OperationKind.Mover),
            Leavers = _assembler.Count(OperationKind.Leaver),
            Retries = _assembler.Count(OperationKind.Retry),
            Refreshes = _assembler.Count(OperationKind.Refresh),
            Records = _assembler.Count(OperationKind.Record),
            Unchanged = _assembler.Unchanged,
            Operations = _assembler.Operations,
            Requests = _assembler.RequestsCompleted,
            LeaverThreshold = _options.State is null ? null : _options.LeaverThreshold.ToString(),
            LeaversInferred = _options.State is not null && _leaversNote is null,
            LeaversNote = _leaversNote,
            Full = _options.Full,
            CompletedAt = DateTimeOffset.UtcNow,
        };

        /// <summary>
        /// Finds the active workers of the state missing from the whole input, checks them against the threshold, and
        /// queues one operation each (externalId, the last userName, active false) to go after everything else.
        /// </summary>
        private void PlanLeavers(long recordsWithoutExternalId)
        {
            if (_leaversPlanned || _options.State is not RunState state)
            {
                return;
            }

            _leaversPlanned = true;
            if (!_options.DecidesLeavers)
            {
                _leaversNote = _options.PartialInput ? "The input is partial (-PartialInput): nobody missing from it is a leaver." : "The run converts only some workers (-ExternalId): nobody missing from it is a leaver.";
                return;
            }

            if (recordsWithoutExternalId > 0 && _incomplete is null)
            {
                _incomplete = $"{recordsWithoutExternalId} record(s) have no externalId";
            }

            if (_incomplete is not null)
            {
                _leaversNote = $"{_incomplete}, so a worker in them would look like a leaver: none is inferred in this run.";
                _report(new ConversionDiagnostic(DiagnosticSeverity.Warning, "LeaversNotInferred", _leaversNote, null, 0));
                return;
            }

            List<(string ExternalId, string UserName)> leavers = state.Leavers(_assembler.Knows);
            int active = state.ActiveWorkers;
            int allowed = _options.LeaverThreshold.Allowed(active);
            if (leavers.Count > allowed)
            {
                string share = active == 0 ? string.Empty : $" ({100.0 * leavers.Count / active:0.#} %)";
                string limit = _options.LeaverThreshold.IsPercent ? $"{_options.LeaverThreshold} of them, {allowed} worker(s)" : $"{allowed} worker(s)";
                if (!_options.AllowManyLeavers)
                {
                    throw new TooManyLeaversException(
                        $"{leavers.Count} of the {active} active workers in the state '{state.Path}'{share} are missing from this input, more than the leaver threshold ({limit}). Nothing was converted or sent. If the input is complete and they have left, run again with -Force or a higher -LeaverThreshold; if the export is truncated or filtered, fix it, or use -PartialInput to send its changes without inferring leavers.",
                        leavers.Count,
                        active,
                        allowed);
                }

                _report(new ConversionDiagnostic(DiagnosticSeverity.Warning, "ManyLeavers", $"{leavers.Count} of the {active} active workers{share} are missing from this input, more than the leaver threshold ({limit}); they are sent as leavers because of -Force.", null, 0));
            }

            foreach ((string externalId, string userName) in leavers)
            {
                _assembler.AddAfterInput(WorkerKey.Of(externalId), externalId, WriteLeaver(externalId, userName), OperationKind.Leaver);
            }
        }

        /// <summary>A leaver's data object: who it is and active false. Nothing else, so nothing else of the account changes.</summary>
        private ReadOnlySpan<byte> WriteLeaver(string externalId, string userName)
        {
            _data.SetLength(0);
            _writer.Reset(_data);
            _writer.WriteStartObject();
            _writer.WriteStartArray(SchemasName);
            _writer.WriteStringValue(ScimSchemas.CoreUserUrn);
            _writer.WriteStringValue(ScimSchemas.EnterpriseUserUrn);
            _writer.WriteEndArray();
            _writer.WriteString("externalId", externalId);
            if (userName.Length > 0)
            {
                _writer.WriteString("userName", userName);
            }

            _writer.WriteBoolean("active", false);
            _writer.WriteEndObject();
            _writer.Flush();
            return new ReadOnlySpan<byte>(_data.GetBuffer(), 0, (int)_data.Length);
        }

        /// <summary>
        /// Converts records as they stream (as pipeline input is): each request as soon as it is complete, then the
        /// rest when the input ends.
        /// </summary>
        public IEnumerable<BulkRequest> ConvertAll(IEnumerable<IRecord> records)
        {
            foreach (IRecord record in records)
            {
                Add(record);
                while (TryTake(out BulkRequest? request))
                {
                    yield return request!;
                }
            }

            foreach (BulkRequest request in CompleteAndTakeAll())
            {
                yield return request;
            }
        }

        /// <summary>
        /// Converts an input that can be read again (a file) as ConvertTo-ScimBulkRequest -Path does: when the run
        /// wants an index (managers, a state), a first reading indexes it and the second converts.
        /// </summary>
        public IEnumerable<BulkRequest> ConvertAll(Func<IEnumerable<IRecord>> read)
        {
            if (WantsIndex)
            {
                foreach (IRecord record in read())
                {
                    Index(record);
                }

                EndIndex();
            }

            foreach (BulkRequest request in ConvertAll(read()))
            {
                yield return request;
            }
        }

        /// <summary>Completes the run and returns every request still to take.</summary>
        public IEnumerable<BulkRequest> CompleteAndTakeAll()
        {
            Complete();
            while (TryTake(out BulkRequest? request))
            {
                yield return request!;
            }
        }

        /// <summary>The manager's externalId of the record just evaluated (enterprise manager.value), as a key.</summary>
        private WorkerKey? ManagerOf()
            => _plan.EnterpriseIndex >= 0 && _extensionValues[_plan.EnterpriseIndex] is ScimObject enterprise ? ManagerKey(enterprise.Get("manager")) : null;

        private static WorkerKey? ManagerKey(object? manager)
            => manager is ScimObject reference && reference.Get("value") is string value && !ScimValue.IsBlank(value) ? WorkerKey.Of(value.Trim()) : null;

        /// <summary>Marks the plan's leaves that are declared date attributes; returns the names that matched nothing.</summary>
        private IReadOnlyList<string> MarkDates()
        {
            if (_options.DateAttributes is null || _options.DateAttributes.Count == 0)
            {
                return Array.Empty<string>();
            }

            var unmatched = new List<string>();
            foreach (string declared in _options.DateAttributes)
            {
                bool bare = declared.IndexOf(':') < 0 && declared.IndexOf('.') < 0;
                bool any = false;
                foreach (PlanNode node in _plan.AllNodes())
                {
                    if (node.Children.Length == 0
                        && (string.Equals(node.Path, declared, StringComparison.OrdinalIgnoreCase) || (bare && string.Equals(node.Name, declared, StringComparison.OrdinalIgnoreCase))))
                    {
                        node.IsDate = true;
                        any = true;
                    }
                }

                string? ns = _options.ScimSchemaNamespace;
                if (ns is not null && (bare || declared.StartsWith(ns + ":", StringComparison.OrdinalIgnoreCase)))
                {
                    // Columns sent under -ScimSchemaNamespace are only known per record: matched when written.
                    _namespaceDates.Add(bare ? declared : declared.Substring(ns.Length + 1));
                    any = true;
                }

                if (!any)
                {
                    unmatched.Add(declared);
                }
            }

            return unmatched;
        }

        private static bool IsPresent(object? value) => ScimValue.IsPresent(value);

        /// <summary>The first pass reports nothing about records: the conversion pass does, once.</summary>
        private void Report(ConversionDiagnostic diagnostic)
        {
            if (!_indexing)
            {
                _report(diagnostic);
            }
        }

        private static string Where(IRecord record) => record.Source is null ? $"Input object {record.Number}" : $"'{record.Source}', row {record.Number}";

        /// <summary>Evaluates a plan node; reports problems and sets <paramref name="failed"/>.</summary>
        private object? Evaluate(PlanNode node, IRecord record, string? externalId, out bool failed)
        {
            failed = false;
            switch (node.Source.Kind)
            {
                case MappingNodeKind.Column:
                    return Leaf(node, node.ReadColumn(record), record, externalId, ref failed);
                case MappingNodeKind.Constant:
                    return Leaf(node, node.Source.Constant, record, externalId, ref failed);
                case MappingNodeKind.Computed:
                {
                    object? result;
                    try
                    {
                        result = node.Source.Computed!.Invoke(record);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        failed = true;
                        Report(new ConversionDiagnostic(DiagnosticSeverity.Error, "MappingExpressionFailed", $"{Where(record)}: the scriptblock for '{node.Path}' failed: {ex.Message}", record.Source, record.Number, node.Path, externalId, ex));
                        return ScimValue.Empty;
                    }

                    return Leaf(node, result, record, externalId, ref failed);
                }

                case MappingNodeKind.Complex:
                {
                    var result = new ScimObject(node.Children.Length);
                    bool any = false;
                    foreach (PlanNode child in node.Children)
                    {
                        object? value = Evaluate(child, record, externalId, out bool f);
                        failed |= f;
                        if (!ScimValue.IsEmpty(value))
                        {
                            any |= !ReferenceEquals(value, ScimValue.Null);
                            result.Add(new KeyValuePair<string, object?>(child.Name, value));
                        }
                    }

                    // An object of explicit nulls is sent only in Null mode, to clear every sub-attribute.
                    return any || (result.Count > 0 && _options.EmptyValue == EmptyValueHandling.Null) ? result : ScimValue.Empty;
                }

                case MappingNodeKind.MultiValued:
                {
                    List<object?>? items = null;
                    foreach (PlanNode child in node.Children)
                    {
                        object? value = Evaluate(child, record, externalId, out bool f);
                        failed |= f;
                        if (IsMeaningfulItem(child, value))
                        {
                            items ??= new List<object?>(node.Children.Length);
                            if (value is List<object?> list)
                            {
                                items.AddRange(list);
                            }
                            else
                            {
                                items.Add(value);
                            }
                        }
                    }

                    return items is null ? ScimValue.Empty : items;
                }

                default:
                    return ScimValue.Empty;
            }
        }

        /// <summary>An item of a multi-valued attribute is sent only when it carries data (see <see cref="ScimValue.CarriesData"/>).</summary>
        private static bool IsMeaningfulItem(PlanNode item, object? value)
            => value is ScimObject obj ? ScimValue.CarriesData(obj, item.HasValueChild) : value is List<object?> || IsPresent(value);

        private object? Leaf(PlanNode node, object? raw, IRecord record, string? externalId, ref bool failed)
        {
            object value;
            try
            {
                value = node.IsDate ? NormalizeDate(raw) : ScimValue.Normalize(raw, node.Attribute);
            }
            catch (FormatException ex)
            {
                failed = true;
                string column = node.Source.Column is { } c ? $" (column '{c}')" : string.Empty;
                Report(new ConversionDiagnostic(DiagnosticSeverity.Error, "InvalidAttributeValue", $"{Where(record)}: '{node.Path}'{column}: {ex.Message}", record.Source, record.Number, node.Path, externalId, ex));
                return ScimValue.Empty;
            }

            return ScimValue.IsEmpty(value) && _options.EmptyValue == EmptyValueHandling.Null ? ScimValue.Null : value;
        }

        private object NormalizeDate(object? raw)
            => raw is null || raw is DBNull || (raw is string text && ScimValue.IsBlank(text)) ? ScimValue.Empty : _dates.Normalize(raw);

        /// <summary>Writes the record's <c>data</c> object (the SCIM user) and returns its UTF-8 JSON, valid until the next record.</summary>
        private ReadOnlySpan<byte> WriteData(IRecord record)
        {
            _data.SetLength(0);
            _writer.Reset(_data);
            _writer.WriteStartObject();

            // data.schemas lists core and enterprise User always, plus every extension this record carries.
            _schemas.Clear();
            _schemas.Add(ScimSchemas.CoreUserUrn);
            _schemas.Add(ScimSchemas.EnterpriseUserUrn);
            for (int i = 0; i < _plan.Extensions.Length; i++)
            {
                if (!ScimValue.IsEmpty(_extensionValues[i]) && !_schemas.Contains(_plan.Extensions[i].Name))
                {
                    _schemas.Add(_plan.Extensions[i].Name);
                }
            }

            string? ns = _options.ScimSchemaNamespace;
            int nsIndex = ns is null ? -1 : Array.FindIndex(_plan.Extensions, e => string.Equals(e.Name, ns, StringComparison.OrdinalIgnoreCase));
            bool writeNamespace = ns is not null && record.FieldNames.Count > 0;
            if (writeNamespace && nsIndex < 0)
            {
                _schemas.Add(ns!);
            }

            _writer.WriteStartArray(SchemasName);
            foreach (string schema in _schemas)
            {
                _writer.WriteStringValue(schema);
            }

            _writer.WriteEndArray();

            for (int i = 0; i < _plan.Core.Length; i++)
            {
                WriteProperty(_plan.Core[i].Name, _coreValues[i]);
            }

            for (int i = 0; i < _plan.Extensions.Length; i++)
            {
                if (i == nsIndex)
                {
                    WriteNamespaceBlock(record, _extensionValues[i] as ScimObject);
                }
                else
                {
                    WriteProperty(_plan.Extensions[i].Name, _extensionValues[i]);
                }
            }

            if (writeNamespace && nsIndex < 0)
            {
                WriteNamespaceBlock(record, null);
            }

            _writer.WriteEndObject();
            _writer.Flush();
            return new ReadOnlySpan<byte>(_data.GetBuffer(), 0, (int)_data.Length);
        }

        /// <summary>The -ScimSchemaNamespace block: mapped attributes of that URN first, then every other input column as text.</summary>
        private void WriteNamespaceBlock(IRecord record, ScimObject? mapped)
        {
            _writer.WriteStartObject(_options.ScimSchemaNamespace!);
            if (mapped is not null)
            {
                foreach (KeyValuePair<string, object?> pair in mapped)
                {
                    WriteProperty(pair.Key, pair.Value);
                }
            }

            IReadOnlyList<string> names = record.FieldNames;
            for (int i = 0; i < names.Count; i++)
            {
                string name = names[i];
                if (mapped is not null && !ScimValue.IsEmpty(mapped.Get(name)))
                {
                    continue;
                }

                if (!ScimSchemas.IsValidAttributeName(name))
                {
                    if (_reportedNamespaceColumns.Add(name))
                    {
                        Report(new ConversionDiagnostic(DiagnosticSeverity.Warning, "InvalidAttributeName", $"{Where(record)}: column '{name}' is not a valid SCIM attribute name (a letter, then letters, digits, '-' or '_'), so it is left out of '{_options.ScimSchemaNamespace}'. Map it explicitly under another name.", record.Source, record.Number, name));
                    }

                    continue;
                }

                object? raw = record is IIndexedRecord indexed ? indexed.GetValue(i) : (record.TryGetValue(name, out object? v) ? v : null);
                object value;
                try
                {
                    value = _namespaceDates.Contains(name) ? NormalizeDate(raw) : ScimValue.Normalize(raw, null);
                }
                catch (FormatException ex) when (_namespaceDates.Contains(name))
                {
                    throw new NamespaceDateException($"{Where(record)}: '{_options.ScimSchemaNamespace}:{name}' (column '{name}'): {ex.Message}", name, ex);
                }
                catch (FormatException)
                {
                    value = ScimValue.Empty;
                }

                if (ScimValue.IsEmpty(value) && _options.EmptyValue == EmptyValueHandling.Null)
                {
                    value = ScimValue.Null;
                }

                WriteProperty(name, value);
            }

            _writer.WriteEndObject();
        }

        private void WriteProperty(string name, object? value)
        {
            if (ScimValue.IsEmpty(value))
            {
                return;
            }

            _writer.WritePropertyName(name);
            WriteValue(value);
        }

        private void WriteValue(object? value)
        {
            switch (value)
            {
                case string s:
                    _writer.WriteStringValue(s);
                    break;
                case bool b:
                    _writer.WriteBooleanValue(b);
                    break;
                case ScimObject obj:
                    _writer.WriteStartObject();
                    foreach (KeyValuePair<string, object?> pair in obj)
                    {
                        WriteProperty(pair.Key, pair.Value);
                    }

                    _writer.WriteEndObject();
                    break;
                case List<object?> list:
                    _writer.WriteStartArray();
                    foreach (object? item in list)
                    {
                        WriteValue(item);
                    }

                    _writer.WriteEndArray();
                    break;
                case long l:
                    _writer.WriteNumberValue(l);
                    break;
                case int i:
                    _writer.WriteNumberValue(i);
                    break;
                case decimal m:
                    _writer.WriteNumberValue(m);
                    break;
                case double d:
                    _writer.WriteNumberValue(d);
                    break;
                case float f:
                    _writer.WriteNumberValue(f);
                    break;
                case IConvertible c when value is not null && !ReferenceEquals(value, ScimValue.Null):
                    _writer.WriteNumberValue(c.ToDecimal(System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default:
                    _writer.WriteNullValue();
                    break;
            }
        }

        /// <inheritdoc />
        public void Dispose()
        {
            _writer.Dispose();
            _data.Dispose();
            _assembler.Dispose();
        }

        /// <summary>A date column under -ScimSchemaNamespace that does not parse: found while writing, reported as the record's error.</summary>
        private sealed class NamespaceDateException : Exception
        {
            public NamespaceDateException(string message, string column, Exception inner)
                : base(message, inner) => Column = column;

            public string Column { get; }
        }
    }
}
