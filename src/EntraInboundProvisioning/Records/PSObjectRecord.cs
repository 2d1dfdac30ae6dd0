using System;
using System.Collections;
using System.Collections.Generic;
using System.Data;
using System.Management.Automation;
using EntraInboundProvisioning.Sources;

namespace EntraInboundProvisioning.PowerShell.Records
{
    /// <summary>
    /// A pipeline object seen as a record: Import-Csv rows and other PSCustomObjects, .NET objects, hashtables and
    /// dictionaries, and DataRows from SQL queries (their columns, not DataRow's own properties).
    /// </summary>
    internal sealed class PSObjectRecord : IRecord
    {
        private readonly PSObject? _object;
        private readonly DictionaryRecord? _dictionary;
        private IReadOnlyList<string>? _names;

        private PSObjectRecord(PSObject original, long number, PSObject? adapted, DictionaryRecord? dictionary)
        {
            Original = original;
            Number = number;
            _object = adapted;
            _dictionary = dictionary;
        }

        /// <summary>The object as it came down the pipeline; it is <c>$_</c> for scriptblocks.</summary>
        public PSObject Original { get; }

        public long Number { get; }

        public string? Source => null;

        public IReadOnlyList<string> FieldNames => _names ??= _dictionary?.FieldNames ?? PropertyNames(_object!);

        public static PSObjectRecord Create(PSObject input, long number)
        {
            switch (input.BaseObject)
            {
                case IDictionary dictionary:
                    return new PSObjectRecord(input, number, null, DictionaryRecord.FromDictionary(dictionary, number));
                case DataRow row:
                    var record = new DictionaryRecord(number, null, row.Table.Columns.Count);
                    foreach (DataColumn column in row.Table.Columns)
                    {
                        object value = row[column];
                        record.Add(column.ColumnName, value is DBNull ? null : value);
                    }

                    return new PSObjectRecord(input, number, null, record);
                default:
                    return new PSObjectRecord(input, number, input, null);
            }
        }

        public bool TryGetValue(string name, out object? value)
        {
            if (_dictionary is not null)
            {
                bool found = _dictionary.TryGetValue(name, out value);
                value = Unwrap(value);
                return found;
            }

            PSPropertyInfo? property = _object!.Properties[name];
            if (property is null)
            {
                value = null;
                return false;
            }

            try
            {
                value = Unwrap(property.Value);
            }
            catch (GetValueException)
            {
                // A .NET property whose getter throws is no data.
                value = null;
            }

            return true;
        }

        internal static object? Unwrap(object? value) => value is PSObject psObject && psObject.BaseObject is not PSCustomObject ? psObject.BaseObject : value;

        private static List<string> PropertyNames(PSObject obj)
        {
            var names = new List<string>();
            foreach (PSPropertyInfo property in obj.Properties)
            {
                names.Add(property.Name);
            }

            return names;
        }
    }

    /// <summary>
    /// Gives scriptblocks their <c>$_</c>: the original pipeline object, or for CSV rows read by the cmdlet a
    /// PSCustomObject like Import-Csv's, built once per record even when several scriptblocks run.
    /// </summary>
    internal sealed class DollarUnderbarCache
    {
        private IRecord? _record;
        private long _number = -1;
        private PSObject? _object;

        public PSObject For(IRecord record)
        {
            if (record is PSObjectRecord pipeline)
            {
                return pipeline.Original;
            }

            if (ReferenceEquals(record, _record) && record.Number == _number && _object is not null)
            {
                return _object;
            }

            var obj = new PSObject();
            foreach (string name in record.FieldNames)
            {
                record.TryGetValue(name, out object? value);
                obj.Properties.Add(new PSNoteProperty(name, value));
            }

            _record = record;
            _number = record.Number;
            _object = obj;
            return obj;
        }
    }
}
