using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Sources;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>
    /// One mapping applied to one record: evaluates the mapping (columns, constants, scriptblocks, complex and
    /// multi-valued attributes), applies the record rules (externalId, userName and active present, dates as ISO 8601)
    /// and writes the user's <c>data</c> object. Knows nothing of requests, repeated workers or states: the run
    /// (<see cref="BulkRequestConverter"/>) decides what becomes of the record. One per source of a run.
    /// </summary>
    internal sealed class RecordConverter : IDisposable
    {
        private readonly MappingPlan _plan;
        private readonly ConversionOptions _options;
        private readonly Action<ConversionDiagnostic> _report;
        private readonly HashSet<string> _namespaceDates = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private readonly UserDataWriter _writer;
        private readonly object?[] _coreValues;
        private readonly object?[] _extensionValues;
        private readonly int _userNameIndex;
        private readonly int _activeIndex;
        private readonly ScimDate _dates;
        private readonly PlanNode? _managerNode;

        /// <exception cref="ArgumentException">The namespace URN is malformed, or the mapping has no <c>active</c> and <see cref="ConversionOptions.AllowMissingActive"/> is off.</exception>
        public RecordConverter(ConversionSource source, ConversionOptions options, Action<ConversionDiagnostic> report)
        {
            Source = source;
            _plan = new MappingPlan(source.Mapping);
            _options = options;
            _report = report;
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
                throw new ArgumentException(MappingValidator.ActiveNotMappedMessage, nameof(source));
            }

            UnmatchedDateAttributes = MarkDates();
            _writer = new UserDataWriter(_plan, options, _dates, _namespaceDates, Report);
            _managerNode = _plan.EnterpriseIndex < 0 ? null : Array.Find(_plan.Extensions[_plan.EnterpriseIndex].Children, c => string.Equals(c.Name, "manager", StringComparison.OrdinalIgnoreCase));
            Fingerprint = ShapeFingerprint();
        }

        /// <summary>The source this converter serves.</summary>
        public ConversionSource Source { get; }

        /// <summary>True when the mapping maps <c>active</c>, so <see cref="Active"/> is what the record says.</summary>
        public bool MapsActive => _activeIndex >= 0;

        /// <summary>True when the mapping can produce <c>manager.value</c>.</summary>
        public bool MapsManager => _plan.MapsManager;

        /// <summary>Names in <see cref="ConversionOptions.DateAttributes"/> that match no mapped attribute.</summary>
        public IReadOnlyList<string> UnmatchedDateAttributes { get; }

        /// <summary>
        /// A hash of everything that shapes a record besides the input: the mapping (in its canonical order) and the
        /// options that change values. A state keeps it, so a run can say when movers come from a mapping change.
        /// </summary>
        public string Fingerprint { get; }

        /// <summary>While true (the first pass over a re-readable input), nothing about records is reported: the conversion pass does, once.</summary>
        public bool Silent { get; set; }

        /// <summary>The userName of the record just converted, or null.</summary>
        public string? UserName { get; private set; }

        /// <summary>The active value of the record just converted (false when not mapped).</summary>
        public bool Active { get; private set; }

        /// <summary>The manager of the record just converted (enterprise manager.value), as a key.</summary>
        public WorkerKey? Manager { get; private set; }

        /// <summary>
        /// Evaluates the externalId: trimmed (see <see cref="WorkerKey.Normalize"/>), with a warning when trimming changed
        /// it; null when empty (reported unless silent) or when its evaluation failed (reported).
        /// </summary>
        public string? ReadExternalId(IRecord record)
        {
            if (_plan.ExternalId is null)
            {
                return null;
            }

            object? value = Evaluate(_plan.ExternalId, record, null, out bool failed);
            if (failed)
            {
                return null;
            }

            string? externalId = value as string;
            if (externalId is not null)
            {
                string trimmed = WorkerKey.Normalize(externalId);
                if (trimmed.Length != externalId.Length && trimmed.Length > 0)
                {
                    Report(new ConversionDiagnostic(DiagnosticSeverity.Warning, "ExternalIdTrimmed", $"{Where(record)}: externalId '{externalId}' has leading or trailing whitespace or invisible characters; it is sent as '{trimmed}', the same worker.", record.Source, record.Number, "externalId", trimmed));
                }

                externalId = trimmed.Length == 0 ? null : trimmed;
            }

            if (externalId is null)
            {
                string column = _plan.ExternalId.Source.Column is { } c ? $" (column '{c}')" : string.Empty;
                Report(new ConversionDiagnostic(DiagnosticSeverity.Error, "MissingExternalId", $"{Where(record)}: externalId{column} is empty; the record is skipped. Every record needs a unique, stable externalId.", record.Source, record.Number, "externalId"));
            }

            return externalId;
        }

        /// <summary>The manager key of a record, for the first pass (nothing else is evaluated).</summary>
        public WorkerKey? ReadManager(IRecord record, string externalId)
            => _managerNode is null ? null : ManagerKey(Evaluate(_managerNode, record, externalId, out _));

        /// <summary>
        /// Evaluates the rest of the mapping and writes the <c>data</c> object; false when the record has errors (each
        /// reported) and is not sent. The data stays valid until the next record.
        /// </summary>
        public bool TryConvert(IRecord record, string externalId, out ReadOnlySpan<byte> data)
        {
            data = default;
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

            if (_userNameIndex >= 0 && !failed && !ScimValue.IsPresent(_coreValues[_userNameIndex]))
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

            if (failed)
            {
                return false;
            }

            TrimManager(record, externalId);
            try
            {
                data = _writer.Write(record, _coreValues, _extensionValues);
            }
            catch (NamespaceDateException ex)
            {
                Report(new ConversionDiagnostic(DiagnosticSeverity.Error, "InvalidAttributeValue", ex.Message, record.Source, record.Number, $"{_options.ScimSchemaNamespace}:{ex.Column}", externalId, ex.InnerException));
                return false;
            }

            UserName = _userNameIndex >= 0 ? _coreValues[_userNameIndex] as string : null;
            Active = _activeIndex >= 0 && _coreValues[_activeIndex] is true;
            Manager = _plan.EnterpriseIndex >= 0 && _extensionValues[_plan.EnterpriseIndex] is ScimObject enterprise ? ManagerKey(enterprise.Get("manager")) : null;
            return true;
        }

        /// <summary>
        /// A manager reference is an externalId, so the rule for externalIds applies: leading and trailing whitespace is
        /// not part of it. "E7 " would not resolve to E7's account, and the record would fail in every cycle.
        /// </summary>
        private void TrimManager(IRecord record, string externalId)
        {
            if (_plan.EnterpriseIndex < 0 || _extensionValues[_plan.EnterpriseIndex] is not ScimObject enterprise || enterprise.Get("manager") is not ScimObject reference)
            {
                return;
            }

            for (int i = 0; i < reference.Count; i++)
            {
                if (string.Equals(reference[i].Key, "value", StringComparison.OrdinalIgnoreCase) && reference[i].Value is string value && WorkerKey.Normalize(value) is string trimmed && trimmed.Length != value.Length && trimmed.Length > 0)
                {
                    reference[i] = new KeyValuePair<string, object?>(reference[i].Key, trimmed);
                    Report(new ConversionDiagnostic(DiagnosticSeverity.Warning, "ExternalIdTrimmed", $"{Where(record)}: the manager reference '{value}' of externalId '{externalId}' has leading or trailing whitespace or invisible characters; it is sent as '{trimmed}'.", record.Source, record.Number, "manager", externalId));
                }
            }
        }

        /// <summary>"'hr.csv', row 5" or "Input object 5".</summary>
        internal static string Where(IRecord record) => record.Source is null ? $"Input object {record.Number}" : $"'{record.Source}', row {record.Number}";

        private static WorkerKey? ManagerKey(object? manager)
            => manager is ScimObject reference && reference.Get("value") is string value && !ScimValue.IsBlank(value) ? WorkerKey.Of(value) : null;

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

        /// <summary>The mapping in its canonical order and the value-shaping options, hashed.</summary>
        private string ShapeFingerprint()
        {
            var text = new StringBuilder();
            text.Append("record-format 1|empty ").Append(_options.EmptyValue).Append("|namespace ").Append(_options.ScimSchemaNamespace).Append("|dates ").Append(_dates.Describe()).Append('\n');
            foreach (PlanNode node in _plan.AllNodes())
            {
                text.Append(node.Path).Append(' ').Append(node.IsDate ? "date " : string.Empty).Append(node.Source.Kind).Append(' ');
                switch (node.Source.Kind)
                {
                    case MappingNodeKind.Column:
                        text.Append(node.Source.Column);
                        break;
                    case MappingNodeKind.Constant:
                        text.Append(Convert.ToString(node.Source.Constant, CultureInfo.InvariantCulture));
                        break;
                    case MappingNodeKind.Computed:
                        text.Append(node.Source.Computed!.Text);
                        break;
                }

                text.Append('\n');
            }

            foreach (string name in _namespaceDates)
            {
                text.Append("namespace date ").Append(name.ToUpperInvariant()).Append('\n');
            }

            (ulong high, ulong low) = Internal.Murmur3.Hash128(text.ToString(), 0x5ca1ab1e);
            return high.ToString("x16", CultureInfo.InvariantCulture) + low.ToString("x16", CultureInfo.InvariantCulture);
        }

        private void Report(ConversionDiagnostic diagnostic)
        {
            if (!Silent)
            {
                _report(diagnostic);
            }
        }

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
            => value is ScimObject obj ? ScimValue.CarriesData(obj, item.HasValueChild) : value is List<object?> || ScimValue.IsPresent(value);

        private object? Leaf(PlanNode node, object? raw, IRecord record, string? externalId, ref bool failed)
        {
            object value;
            try
            {
                value = node.IsDate ? UserDataWriter.NormalizeDate(_dates, raw) : ScimValue.Normalize(raw, node.Attribute);
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


        public void Dispose() => _writer.Dispose();
    }
}
