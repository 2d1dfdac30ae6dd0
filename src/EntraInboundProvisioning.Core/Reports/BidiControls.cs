using System.Globalization;
using System.Text;

namespace EntraInboundProvisioning.Reports
{
    /// <summary>
    /// The Unicode controls that reorder the text around them (embeddings, overrides and isolates, U+202A–U+202E and
    /// U+2066–U+2069). In an HR value they make "exe.gnp" read as "png.exe" and can move a cell's text across its
    /// neighbours, so a report shows them as visible marks ("[U+202E]") rather than letting them act.
    /// </summary>
    internal static class BidiControls
    {
        /// <summary>The value with each bidirectional control replaced by a visible "[U+XXXX]".</summary>
        public static string Reveal(string value)
        {
            int first = 0;
            while (first < value.Length && !IsControl(value[first]))
            {
                first++;
            }

            if (first == value.Length)
            {
                return value;
            }

            var revealed = new StringBuilder(value.Length + 16).Append(value, 0, first);
            for (int i = first; i < value.Length; i++)
            {
                char c = value[i];
                if (IsControl(c))
                {
                    revealed.Append("[U+").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)).Append(']');
                }
                else
                {
                    revealed.Append(c);
                }
            }

            return revealed.ToString();
        }

        private static bool IsControl(char c) => c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
    }
}
