using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Sources;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>
    /// Writes a record's <c>data</c> object, the SCIM user, from the values its mapping produced: <c>schemas</c> (core
    /// and enterprise User, and each extension the record carries), the attributes in the plan's one order, and the
    /// -ScimSchemaNamespace block of every other input column. Empty values are left out, so nothing sends "" by accident.
    /// </summary>
    internal sealed class UserDataWriter : IDisposable
    {
        private static readonly JsonEncodedText SchemasName = JsonEncodedText.Encode("schemas");

        private readonly MappingPlan _plan;
        private readonly ConversionOptions _options;
        private readonly ScimDate _dates;
        private readonly ISet<string> _namespaceDates;
        private readonly Action<ConversionDiagnostic> _report;
        private readonly HashSet<string> _reportedNamespaceColumns = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private readonly MemoryStream _data = new MemoryStream(4 * 1024);
        private readonly Utf8JsonWriter _writer;
        private readonly List<string> _schemas = new List<string>(4);
        private object?[] _coreValues = Array.Empty<object?>();
        private object?[] _extensionValues = Array.Empty<object?>();

        public UserDataWriter(MappingPlan plan, ConversionOptions options, ScimDate dates, ISet<string> namespaceDates, Action<ConversionDiagnostic> report)
        {
            _plan = plan;
            _options = options;
            _dates = dates;
            _namespaceDates = namespaceDates;
            _report = report;
            _writer = new Utf8JsonWriter(_data, BulkRequestWriter.WriterOptions);
        }

        /// <summary>A date value as Entra's date-time attributes take it (ISO 8601 in UTC); empty stays empty.</summary>
        /// <exception cref="FormatException">The value is not a date that can be read unambiguously.</exception>
        public static object NormalizeDate(ScimDate dates, object? raw)
            => raw is null || raw is DBNull || (raw is string text && ScimValue.IsBlank(text)) ? ScimValue.Empty : dates.Normalize(raw);

        /// <summary>Writes the user and returns its UTF-8 JSON, valid until the next record.</summary>
        /// <exception cref="NamespaceDateException">A date column under -ScimSchemaNamespace does not parse.</exception>
        public ReadOnlySpan<byte> Write(IRecord record, object?[] coreValues, object?[] extensionValues)
        {
            _coreValues = coreValues;
            _extensionValues = extensionValues;
            return WriteData(record);
        }

        public void Dispose()
        {
            _writer.Dispose();
            _data.Dispose();
        }

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
                        _report(new ConversionDiagnostic(DiagnosticSeverity.Warning, "InvalidAttributeName", $"{RecordConverter.Where(record)}: column '{name}' is not a valid SCIM attribute name (a letter, then letters, digits, '-' or '_'), so it is left out of '{_options.ScimSchemaNamespace}'. Map it explicitly under another name.", record.Source, record.Number, name));
                    }

                    continue;
                }

                object? raw = record is IIndexedRecord indexed ? indexed.GetValue(i) : (record.TryGetValue(name, out object? v) ? v : null);
                object value;
                try
                {
                    value = _namespaceDates.Contains(name) ? NormalizeDate(_dates, raw) : ScimValue.Normalize(raw, null);
                }
                catch (FormatException ex) when (_namespaceDates.Contains(name))
                {
                    throw new NamespaceDateException($"{RecordConverter.Where(record)}: '{_options.ScimSchemaNamespace}:{name}' (column '{name}'): {ex.Message}", name, ex);
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
                    _writer.WriteNumberValue(c.ToDecimal(CultureInfo.InvariantCulture));
                    break;
                default:
                    _writer.WriteNullValue();
                    break;
            }
        }
    }

    /// <summary>A date column under -ScimSchemaNamespace that does not parse: found while writing, reported as the record's error.</summary>
    internal sealed class NamespaceDateException : Exception
    {
        public NamespaceDateException(string message, string column, Exception inner)
            : base(message, inner) => Column = column;

        public string Column { get; }
    }
}
