using System.Collections.Generic;

namespace EntraInboundProvisioning.Sources
{
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
