using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using CsvHelper;
using CsvHelper.Configuration;

namespace EntraInboundProvisioning.Sources
{
    /// <summary>One CSV row; fields are read from the parser on first access and cached.</summary>
    public sealed class CsvRecord : IIndexedRecord
    {
        private readonly CsvRecordReader? _reader;
        private readonly string?[] _fields;
        private long _number;
        private bool _detached;

        internal CsvRecord(CsvRecordReader reader)
        {
            _reader = reader;
            Header = reader.Header;
            Source = reader.Source;
            _fields = new string?[Header.Count];
        }

        private CsvRecord(RecordHeader header, string? source, long number, string?[] fields)
        {
            Header = header;
            Source = source;
            _number = number;
            _fields = fields;
            _detached = true;
        }

        /// <inheritdoc />
        public RecordHeader Header { get; }

        /// <inheritdoc />
        public long Number => _number;

        /// <inheritdoc />
        public string? Source { get; }

        /// <inheritdoc />
        public IReadOnlyList<string> FieldNames => Header.Names;

        /// <inheritdoc />
        public object? GetValue(int index) => GetField(index);

        /// <summary>The field at a header index, as text.</summary>
        public string GetField(int index)
        {
            string? value = _fields[index];
            if (value is null)
            {
                value = _reader!.ReadField(index);
                _fields[index] = value;
            }

            return value;
        }

        /// <inheritdoc />
        public bool TryGetValue(string name, out object? value)
        {
            int index = Header.IndexOf(name);
            if (index < 0)
            {
                value = null;
                return false;
            }

            value = GetField(index);
            return true;
        }

        /// <summary>The row as it stands in the file, while the reader is on it; null for a detached copy.</summary>
        internal string? RawText() => _detached ? null : _reader!.RawRecord;

        /// <summary>A copy that stays valid after the reader moves on.</summary>
        public CsvRecord Detach()
        {
            if (_detached)
            {
                return this;
            }

            var fields = new string?[_fields.Length];
            for (int i = 0; i < fields.Length; i++)
            {
                fields[i] = GetField(i);
            }

            return new CsvRecord(Header, Source, _number, fields);
        }

        internal void Reset(long number)
        {
            _number = number;
            Array.Clear(_fields, 0, _fields.Length);
        }
    }
}
