using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Sources;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>
    /// Turns records into SCIM bulk requests with a mapping. Feed records with <see cref="Add"/>; it returns a
    /// request each time one is full, and <see cref="Complete"/> returns the last partial one. Problems with a
    /// record are reported to the diagnostics callback and that record is skipped; the others go on.
    /// Not thread-safe: one converter per run, fed from one thread.
    /// </summary>
    public sealed class BulkRequestConverter : IDisposable
    {
        private static readonly JsonWriterOptions WriterOptions = new JsonWriterOptions
        {
            // Readable non-ASCII names; the documents go to an HTTP API, never into HTML.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            SkipValidation = true,
        };

        private static readonly JsonEncodedText SchemasName = JsonEncodedText.Encode("schemas");
        private const ulong BulkIdSeed = 0x6c1f4a5e2b7d4c0eUL;

        private readonly MappingPlan _plan;
        private readonly ConversionOptions _options;
        private readonly Action<ConversionDiagnostic> _report;
        // Seen externalIds by a 128-bit hash of the case-folded value, not by string: a million workers cost
        // about 40 MB instead of 100+, and a false duplicate would need a 128-bit collision.
        private readonly Dictionary<IdentityKey, long> _seen = new Dictionary<IdentityKey, long>();
        private readonly List<string?> _sources = new List<string?>();
        private readonly HashSet<string> _reportedNamespaceColumns = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private readonly List<string> _externalIds = new List<string>(BulkRequest.MaxOperations);
        private readonly System.IO.MemoryStream _buffer = new System.IO.MemoryStream(64 * 1024);
        private readonly Utf8JsonWriter _writer;
        private readonly List<string> _schemas = new List<string>(4);
        private readonly object?[] _coreValues;
        private readonly object?[] _extensionValues;
        private string? _requestSource;
        private long _firstRecord;
        private long _lastRecord;
        private int _requestIndex;

        /// <summary>Creates a converter. The mapping should have passed <see cref="MappingValidator"/>.</summary>
        public BulkRequestConverter(AttributeMapping mapping, ConversionOptions? options, Action<ConversionDiagnostic> report)
        {
            _plan = new MappingPlan(mapping);
            _options = options ?? new ConversionOptions();
            _report = report ?? throw new ArgumentNullException(nameof(report));
            _writer = new Utf8JsonWriter(_buffer, WriterOptions);
            _coreValues = new object?[_plan.Core.Length];
            _extensionValues = new object?[_plan.Extensions.Length];
            if (_options.ScimSchemaNamespace is not null && !ScimSchemas.IsWellFormedExtensionUrn(_options.ScimSchemaNamespace))
            {
                throw new ArgumentException($"'{_options.ScimSchemaNamespace}' is not a well-formed extension URN (for example '{ScimSchemas.ExtensionPrefix}contoso:1.0:User').", nameof(options));
            }
        }

        /// <summary>Records read so far (including skipped ones).</summary>
        public long RecordsRead { get; private set; }

        /// <summary>Records turned into operations.</summary>
        public long RecordsConverted { get; private set; }

        /// <summary>Records skipped because of an error.</summary>
        public long RecordsFailed { get; private set; }

        /// <summary>Records left out by the externalId filter.</summary>
        public long RecordsFiltered { get; private set; }

        /// <summary>Requests completed so far.</summary>
        public int RequestsCompleted => _requestIndex;

        /// <summary>Converts one record; returns a request when this record filled one, otherwise null.</summary>
        public BulkRequest? Add(IRecord record)
        {
            RecordsRead++;
            bool externalIdFailed = false;
            object? externalIdValue = _plan.ExternalId is null ? ScimValue.Empty : Evaluate(_plan.ExternalId, record, null, out externalIdFailed);
            if (externalIdFailed)
            {
                RecordsFailed++;
                return null;
            }

            string? externalId = externalIdValue as string;
            if (externalId is null)
            {
                RecordsFailed++;
                string column = _plan.ExternalId?.Source.Column is { } c ? $" (column '{c}')" : string.Empty;
                _report(new ConversionDiagnostic(DiagnosticSeverity.Error, "MissingExternalId", $"{Where(record)}: externalId{column} is empty; the record is skipped. Every record needs a unique, stable externalId.", record.Source, record.Number, "externalId"));
                return null;
            }

            if (_options.ExternalIdFilter is not null && !_options.ExternalIdFilter.Contains(externalId))
            {
                RecordsFiltered++;
                return null;
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

            if (_plan.UserName is not null && !failed && !IsPresent(_coreValues[Array.IndexOf(_plan.Core, _plan.UserName)]))
            {
                failed = true;
                string column = _plan.UserName.Source.Column is { } c ? $" (column '{c}')" : string.Empty;
                _report(new ConversionDiagnostic(DiagnosticSeverity.Error, "MissingUserName", $"{Where(record)}: userName{column} is empty for externalId '{externalId}'; the record is skipped.", record.Source, record.Number, "userName", externalId));
            }

            if (failed)
            {
                RecordsFailed++;
                return null;
            }

            IdentityKey key = Hash(externalId, out string bulkId);
            if (_seen.TryGetValue(key, out long packed))
            {
                RecordsFailed++;
                string? firstSource = _sources[(int)(packed >> 40)];
                long firstNumber = packed & ((1L << 40) - 1);
                string firstWhere = firstSource is null ? $"input object {firstNumber}" : $"'{firstSource}', row {firstNumber}";
                _report(new ConversionDiagnostic(DiagnosticSeverity.Error, "DuplicateExternalId", $"{Where(record)}: externalId '{externalId}' was already used by {firstWhere}; this record is skipped so that one worker is sent once.", record.Source, record.Number, "externalId", externalId));
                return null;
            }

            _seen.Add(key, ((long)SourceIndex(record.Source) << 40) | record.Number);
            WriteOperation(record, externalId, bulkId);
            RecordsConverted++;
            return _externalIds.Count == _options.OperationsPerRequest ? CompleteRequest() : null;
        }

        /// <summary>Returns the last, partial request, or null when no operation is pending.</summary>
        public BulkRequest? Complete() => _externalIds.Count == 0 ? null : CompleteRequest();

        private static bool IsPresent(object? value) => ScimValue.IsPresent(value);

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
                        _report(new ConversionDiagnostic(DiagnosticSeverity.Error, "MappingExpressionFailed", $"{Where(record)}: the scriptblock for '{node.Path}' failed: {ex.Message}", record.Source, record.Number, node.Path, externalId, ex));
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
                value = ScimValue.Normalize(raw, node.Attribute);
            }
            catch (FormatException ex)
            {
                failed = true;
                string column = node.Source.Column is { } c ? $" (column '{c}')" : string.Empty;
                _report(new ConversionDiagnostic(DiagnosticSeverity.Error, "InvalidAttributeValue", $"{Where(record)}: '{node.Path}'{column}: {ex.Message}", record.Source, record.Number, node.Path, externalId, ex));
                return ScimValue.Empty;
            }

            return ScimValue.IsEmpty(value) && _options.EmptyValue == EmptyValueHandling.Null ? ScimValue.Null : value;
        }

        private int SourceIndex(string? source)
        {
            int last = _sources.Count - 1;
            if (last >= 0 && string.Equals(_sources[last], source, StringComparison.Ordinal))
            {
                return last;
            }

            _sources.Add(source);
            return last + 1;
        }

        private void WriteOperation(IRecord record, string externalId, string bulkId)
        {
            if (_externalIds.Count == 0)
            {
                _buffer.SetLength(0);
                _writer.Reset(_buffer);
                _writer.WriteStartObject();
                _writer.WriteStartArray(SchemasName);
                _writer.WriteStringValue(BulkRequest.MessageSchema);
                _writer.WriteEndArray();
                _writer.WriteStartArray("Operations"); // Graph requires the capital O.
                _requestSource = record.Source;
                _firstRecord = record.Number;
            }
            else if (!string.Equals(_requestSource, record.Source, StringComparison.Ordinal))
            {
                _requestSource = null;
            }

            _lastRecord = record.Number;
            _externalIds.Add(externalId);

            _writer.WriteStartObject();
            _writer.WriteString("method", "POST");
            _writer.WriteString("bulkId", bulkId);
            _writer.WriteString("path", "/Users");
            _writer.WriteStartObject("data");

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
            _writer.WriteEndObject();
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
                        _report(new ConversionDiagnostic(DiagnosticSeverity.Warning, "InvalidAttributeName", $"{Where(record)}: column '{name}' is not a valid SCIM attribute name (a letter, then letters, digits, '-' or '_'), so it is left out of '{_options.ScimSchemaNamespace}'. Map it explicitly under another name.", record.Source, record.Number, name));
                    }

                    continue;
                }

                object? raw = record is IIndexedRecord indexed ? indexed.GetValue(i) : (record.TryGetValue(name, out object? v) ? v : null);
                object value;
                try
                {
                    value = ScimValue.Normalize(raw, null);
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

        private BulkRequest CompleteRequest()
        {
            _writer.WriteEndArray();
            _writer.WriteEndObject();
            _writer.Flush();
            string json = Encoding.UTF8.GetString(_buffer.GetBuffer(), 0, (int)_buffer.Length);
            var request = new BulkRequest(++_requestIndex, json, _externalIds.ToArray(), _requestSource, _firstRecord, _lastRecord);
            _externalIds.Clear();
            return request;
        }

        /// <inheritdoc />
        public void Dispose()
        {
            _writer.Dispose();
            _buffer.Dispose();
        }

        /// <summary>
        /// Hashes the case-folded externalId once for two uses: the duplicate check's key, and a bulkId that is the
        /// same for the same externalId in every run (UUID layout), so both input paths give identical documents
        /// and a re-sent record keeps its id.
        /// </summary>
        private static IdentityKey Hash(string externalId, out string bulkId)
        {
            (ulong high, ulong low) = Internal.Murmur3.Hash128(externalId.ToUpperInvariant(), BulkIdSeed);
            byte[] bytes = new byte[16];
            for (int i = 0; i < 8; i++)
            {
                bytes[i] = (byte)(high >> (8 * i));
                bytes[i + 8] = (byte)(low >> (8 * i));
            }

            bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8: custom, name-derived
            bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 4122 variant
            bulkId = FormatUuid(bytes);
            return new IdentityKey(high, low);
        }

        private readonly struct IdentityKey : IEquatable<IdentityKey>
        {
            private readonly ulong _high;
            private readonly ulong _low;

            public IdentityKey(ulong high, ulong low)
            {
                _high = high;
                _low = low;
            }

            public bool Equals(IdentityKey other) => _high == other._high && _low == other._low;

            public override bool Equals(object? obj) => obj is IdentityKey other && Equals(other);

            public override int GetHashCode() => (int)_low ^ (int)(_low >> 32);
        }

        private static string FormatUuid(byte[] b)
        {
            const string hex = "0123456789abcdef";
            char[] chars = new char[36];
            int c = 0;
            for (int i = 0; i < 16; i++)
            {
                if (i == 4 || i == 6 || i == 8 || i == 10)
                {
                    chars[c++] = '-';
                }

                chars[c++] = hex[b[i] >> 4];
                chars[c++] = hex[b[i] & 0xF];
            }

            return new string(chars);
        }
    }
}
