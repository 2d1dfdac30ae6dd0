using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>
    /// Where rows come from, for messages: files are numbered once (a row keeps an int, not the path), and a row is
    /// told as "'hr.csv', row 5" or "input object 5".
    /// </summary>
    internal sealed class RowPlaces
    {
        private readonly List<string?> _sources = new List<string?>();

        /// <summary>The number of a source (a file, or null for pipeline input), added when new.</summary>
        public int IndexOf(string? source)
        {
            int last = _sources.Count - 1;
            if (last >= 0 && string.Equals(_sources[last], source, StringComparison.Ordinal))
            {
                return last;
            }

            int known = _sources.IndexOf(source);
            if (known >= 0)
            {
                return known;
            }

            _sources.Add(source);
            return last + 1;
        }

        public string? SourceOf(int source) => _sources[source];

        /// <summary>"'hr.csv', row 5" or "input object 5".</summary>
        public string Where(int source, long row)
        {
            string? name = SourceOf(source);
            return name is null ? $"input object {row}" : $"'{name}', row {row}";
        }

        /// <summary>"'hr.csv', rows 2, 5 and 9", or each row with its source when they differ.</summary>
        public string Rows(List<(int Source, long Row)> rows)
        {
            string Numbers() => And(rows.Select(r => r.Row.ToString(CultureInfo.InvariantCulture)).ToList());
            int first = rows[0].Source;
            if (rows.All(r => r.Source == first))
            {
                return SourceOf(first) is string name ? $"'{name}', rows {Numbers()}" : $"input objects {Numbers()}";
            }

            return And(rows.Select(r => Where(r.Source, r.Row)).ToList());
        }

        public static string Capital(string text) => text.Length == 0 || text[0] == '\'' ? text : char.ToUpperInvariant(text[0]) + text.Substring(1);

        private static string And(List<string> items) => items.Count == 1 ? items[0] : string.Join(", ", items.Take(items.Count - 1)) + " and " + items[items.Count - 1];
    }
}
