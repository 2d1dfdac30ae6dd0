using System;
using System.Globalization;
using System.Text;

namespace EntraInboundProvisioning.Sources
{
    /// <summary>
    /// A hash of an input record as it was read, before any mapping: a CSV row's text, or an object's field names and
    /// values. A run state keeps it beside the hash of the record sent, so when the record sent changes while the input
    /// did not, the change came from the mapping (or the options), not from HR.
    /// </summary>
    internal static class InputHash
    {
        private const ulong Seed = 0x1d8e4e27c47d124fUL;

        [ThreadStatic]
        private static StringBuilder? _text;

        public static ulong Of(IRecord record)
        {
            if (record is CsvRecord csv && csv.RawText() is string raw)
            {
                return Internal.Murmur3.Hash128(raw, Seed).Low;
            }

            StringBuilder text = _text ??= new StringBuilder(512);
            text.Clear();
            foreach (string name in record.FieldNames)
            {
                record.TryGetValue(name, out object? value);
                text.Append(name).Append('\u001f').Append(Convert.ToString(value, CultureInfo.InvariantCulture)).Append('\u001e');
            }

            return Internal.Murmur3.Hash128(text.ToString(), Seed).Low;
        }
    }
}
