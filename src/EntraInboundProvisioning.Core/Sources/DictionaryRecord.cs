using System;
using System.Collections;
using System.Collections.Generic;

namespace EntraInboundProvisioning.Sources
{
    /// <summary>A record over a dictionary of field values (hashtables, or adapted pipeline objects).</summary>
    public sealed class DictionaryRecord : IRecord
    {
        private readonly Dictionary<string, object?> _values;
        private readonly List<string> _names;

        /// <summary>Creates an empty record to fill with <see cref="Add"/>.</summary>
        public DictionaryRecord(long number, string? source = null, int capacity = 16)
        {
            Number = number;
            Source = source;
            _values = new Dictionary<string, object?>(capacity, StringComparer.OrdinalIgnoreCase);
            _names = new List<string>(capacity);
        }

        /// <summary>Creates a record from any dictionary; keys are converted to strings.</summary>
        public static DictionaryRecord FromDictionary(IDictionary dictionary, long number, string? source = null)
        {
            var record = new DictionaryRecord(number, source, dictionary.Count);
            foreach (DictionaryEntry entry in dictionary)
            {
                record.Add(Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty, entry.Value);
            }

            return record;
        }

        /// <inheritdoc />
        public long Number { get; }

        /// <inheritdoc />
        public string? Source { get; }

        /// <inheritdoc />
        public IReadOnlyList<string> FieldNames => _names;

        /// <summary>Adds a field; a later field of the same name (case-insensitive) replaces the value.</summary>
        public void Add(string name, object? value)
        {
            if (!_values.ContainsKey(name))
            {
                _names.Add(name);
            }

            _values[name] = value;
        }

        /// <inheritdoc />
        public bool TryGetValue(string name, out object? value) => _values.TryGetValue(name, out value);
    }
}
