using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>
    /// Turns the dates HR exports write (2024-03-01, 03/01/2024, 1 Mar 2024, 01-Mar-2024) into what Entra's
    /// date-time attributes accept: ISO 8601 in UTC with time, <c>2024-03-01T00:00:00Z</c> (employeeHireDate and
    /// attributes typed DateTime reject a bare date). A value without an offset is taken as UTC.
    /// <para>
    /// Without <c>-DateFormat</c> or <c>-Culture</c> only unambiguous forms are read: ISO 8601, the invariant
    /// culture's month/day/year, and forms with month names. Anything else (01.03.2024: is that January or
    /// March?) is an error rather than a guess, so a date is never silently wrong.
    /// </para>
    /// </summary>
    public sealed class ScimDate
    {
        private const DateTimeStyles Styles = DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;

        // ISO 8601 is always read, whatever else is configured; K also matches no offset at all.
        private static readonly string[] IsoFormats =
        {
            "yyyy-MM-dd", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
            "yyyy-MM-dd HH:mmK", "yyyy-MM-dd HH:mm:ssK", "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
        };

        private static readonly string[] InvariantFormats = IsoFormats.Concat(new[]
        {
            "M/d/yyyy", "M/d/yyyy H:mm", "M/d/yyyy H:mm:ss", "M/d/yyyy h:mm tt", "M/d/yyyy h:mm:ss tt",
            "yyyy/M/d", "yyyy/M/d H:mm:ss",
            "d MMM yyyy", "d MMMM yyyy", "MMM d, yyyy", "MMMM d, yyyy", "MMM d yyyy", "MMMM d yyyy",
            "d-MMM-yyyy", "d-MMM-yy", "dd-MMM-yyyy", "ddd, d MMM yyyy", "dddd, MMMM d, yyyy",
        }).ToArray();

        private readonly string[]? _formats;
        private readonly CultureInfo _culture;
        private readonly bool _cultureGiven;

        /// <summary>Reads dates with the given exact formats and/or culture; with neither, the unambiguous forms only.</summary>
        public ScimDate(IReadOnlyList<string>? formats = null, CultureInfo? culture = null)
        {
            _formats = formats is { Count: > 0 } ? formats.Concat(IsoFormats).ToArray() : null;
            _culture = culture ?? CultureInfo.InvariantCulture;
            _cultureGiven = culture is not null;
        }

        /// <summary>What changes how a date is read (its formats and culture), for a run's record fingerprint.</summary>
        internal string Describe() => (_formats is null ? "unambiguous" : string.Join(";", _formats)) + (_cultureGiven ? " culture " + _culture.Name : string.Empty);

        /// <summary>The default reader: unambiguous forms, invariant culture.</summary>
        public static ScimDate Default { get; } = new ScimDate();

        /// <summary>Formats an instant as Entra wants it: UTC, seconds, fractions only when there are any.</summary>
        public static string Format(DateTimeOffset value)
            => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

        /// <summary>A DateTime of unspecified kind (as [datetime]'2024-01-31' gives) is taken as UTC; a local one is converted.</summary>
        public static string Format(DateTime value) => value.Kind switch
        {
            DateTimeKind.Local => Format(new DateTimeOffset(value)),
            _ => Format(new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc))),
        };

        /// <summary>Normalises a value for a date-time attribute; throws <see cref="FormatException"/> with a message for the user.</summary>
        public string Normalize(object value)
        {
            switch (value)
            {
                case DateTime d:
                    return Format(d);
                case DateTimeOffset d:
                    return Format(d);
                case string s:
                    return Parse(s);
                default:
                    throw new FormatException($"{Describe(value)} is not a date; give a date such as 2024-03-01 (sent as 2024-03-01T00:00:00Z).");
            }
        }

        private string Parse(string text)
        {
            string t = text.Trim();
            if (_formats is not null)
            {
                if (DateTimeOffset.TryParseExact(t, _formats, _culture, Styles, out DateTimeOffset exact))
                {
                    return Format(exact);
                }

                throw new FormatException($"'{text}' does not match -DateFormat {string.Join(", ", _formats.Take(_formats.Length - IsoFormats.Length).Select(f => $"'{f}'"))} (or ISO 8601).");
            }

            if (_cultureGiven)
            {
                if (DateTimeOffset.TryParseExact(t, IsoFormats, CultureInfo.InvariantCulture, Styles, out DateTimeOffset iso)
                    || DateTimeOffset.TryParse(t, _culture, Styles, out iso))
                {
                    return Format(iso);
                }

                throw new FormatException($"'{text}' is not a date in the {_culture.Name} culture (for example {new DateTime(2024, 3, 1).ToString("d", _culture)}).");
            }

            if (DateTimeOffset.TryParseExact(t, InvariantFormats, CultureInfo.InvariantCulture, Styles, out DateTimeOffset value))
            {
                return Format(value);
            }

            throw new FormatException($"'{text}' is not a date this module reads without help: use ISO 8601 (2024-03-01), month/day/year (03/01/2024) or a month name (1 Mar 2024), or say how to read it with -DateFormat (for example 'dd.MM.yyyy') or -Culture.");
        }

        private static string Describe(object value) => value is IFormattable f ? $"'{f.ToString(null, CultureInfo.InvariantCulture)}' ({value.GetType().Name})" : $"A {value.GetType().Name}";
    }
}
