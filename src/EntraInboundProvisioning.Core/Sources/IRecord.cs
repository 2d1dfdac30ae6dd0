using System.Collections.Generic;

namespace EntraInboundProvisioning.Sources
{
    /// <summary>
    /// One worker record from any system of record. Field lookup is case-insensitive, as PowerShell property
    /// access is, so a mapping written for Import-Csv rows works unchanged on CSV files, hashtables and DataRows.
    /// </summary>
    public interface IRecord
    {
        /// <summary>1-based number of the record in its source (data row of a CSV file, or position in the pipeline).</summary>
        long Number { get; }

        /// <summary>Where the record came from (a file path), or null for pipeline input.</summary>
        string? Source { get; }

        /// <summary>The names of the record's fields, in source order.</summary>
        IReadOnlyList<string> FieldNames { get; }

        /// <summary>Gets a field's value; false when the record has no such field.</summary>
        bool TryGetValue(string name, out object? value);
    }

    /// <summary>Records whose fields share one header can resolve a name to an index once per header.</summary>
    public interface IIndexedRecord : IRecord
    {
        /// <summary>The header shared by all records of the same source; compare by reference.</summary>
        RecordHeader Header { get; }

        /// <summary>The value at a header index.</summary>
        object? GetValue(int index);
    }

    /// <summary>Field names of a tabular source with a case-insensitive name → index map.</summary>
    public sealed class RecordHeader
    {
        private readonly Dictionary<string, int> _indexes;

        /// <summary>Creates a header; the first of duplicate names (case-insensitive) wins the lookup.</summary>
        public RecordHeader(IReadOnlyList<string> names)
        {
            Names = names;
            _indexes = new Dictionary<string, int>(names.Count, System.StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < names.Count; i++)
            {
                if (!_indexes.ContainsKey(names[i]))
                {
                    _indexes.Add(names[i], i);
                }
            }
        }

        /// <summary>Field names in source order.</summary>
        public IReadOnlyList<string> Names { get; }

        /// <summary>Number of fields.</summary>
        public int Count => Names.Count;

        /// <summary>The index of a field name (case-insensitive), or -1.</summary>
        public int IndexOf(string name) => _indexes.TryGetValue(name, out int i) ? i : -1;
    }
}
