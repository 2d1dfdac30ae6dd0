using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>A SCIM object being built: attribute names and normalised values, in write order.</summary>
    internal sealed class ScimObject : List<KeyValuePair<string, object?>>
    {
        public ScimObject(int capacity)
            : base(capacity)
        {
        }

        public object? Get(string name)
        {
            foreach (KeyValuePair<string, object?> pair in this)
            {
                if (string.Equals(pair.Key, name, StringComparison.OrdinalIgnoreCase))
                {
                    return pair.Value;
                }
            }

            return ScimValue.Empty;
        }
    }

    /// <summary>
    /// Turns input values into SCIM values for an attribute's type: text for strings, true/false for booleans
    /// (True/False, Yes/No, 1/0), ISO 8601 with offset for dates, objects and arrays for what scriptblocks return.
    /// </summary>
    internal static class ScimValue
    {
        /// <summary>No value: the attribute is left out.</summary>
        public static readonly object Empty = new object();

        /// <summary>An explicit JSON null (EmptyValue = Null).</summary>
        public static readonly object Null = new object();

        public static bool IsEmpty(object? value) => ReferenceEquals(value, Empty);

        /// <summary>Normalises a value; throws <see cref="FormatException"/> with a message for the user when it does not fit the type.</summary>
        public static object Normalize(object? value, ScimAttribute? attribute)
        {
            switch (value)
            {
                case null:
                case DBNull:
                    return Empty;
                case string s:
                    return NormalizeText(s, attribute);
            }

            ScimAttributeType? type = attribute?.Type;
            switch (value)
            {
                case bool b:
                    return type is null or ScimAttributeType.Boolean ? b : type == ScimAttributeType.Complex ? throw ComplexExpected(attribute!) : (object)(b ? "True" : "False");
                case DateTime d:
                    return ScimDate.Format(d);
                case DateTimeOffset d:
                    return ScimDate.Format(d);
                case IDictionary dictionary:
                    return NormalizeObject(dictionary, attribute);
                case IEnumerable sequence:
                    return NormalizeSequence(sequence, attribute);
                case sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal:
                    return NormalizeNumber((IConvertible)value, attribute);
                case Guid g:
                    return g.ToString("D");
                default:
                    return NormalizeText(Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty, attribute);
            }
        }

        private static object NormalizeText(string text, ScimAttribute? attribute)
        {
            if (IsBlank(text))
            {
                return Empty;
            }

            switch (attribute?.Type)
            {
                case ScimAttributeType.Boolean:
                    return ParseBoolean(text) ?? throw new FormatException($"'{text}' is not a boolean; use True/False, Yes/No or 1/0.");
                case ScimAttributeType.Integer:
                    return long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long l) ? l : throw new FormatException($"'{text}' is not a whole number.");
                case ScimAttributeType.Decimal:
                    return decimal.TryParse(text.Trim(), NumberStyles.Number, CultureInfo.InvariantCulture, out decimal m) ? m : throw new FormatException($"'{text}' is not a number.");
                case ScimAttributeType.Complex:
                    throw ComplexExpected(attribute);
                default:
                    return text;
            }
        }

        private static object NormalizeNumber(IConvertible number, ScimAttribute? attribute)
        {
            switch (attribute?.Type)
            {
                case null:
                case ScimAttributeType.Integer:
                case ScimAttributeType.Decimal:
                    return number;
                case ScimAttributeType.Boolean:
                    double d = number.ToDouble(CultureInfo.InvariantCulture);
                    return d == 1 ? true : d == 0 ? (object)false : throw new FormatException($"{number.ToString(CultureInfo.InvariantCulture)} is not a boolean; use 1 or 0.");
                case ScimAttributeType.Complex:
                    throw ComplexExpected(attribute);
                default:
                    return number.ToString(CultureInfo.InvariantCulture);
            }
        }

        private static object NormalizeObject(IDictionary dictionary, ScimAttribute? attribute)
        {
            if (attribute is not null && attribute.Type != ScimAttributeType.Complex)
            {
                throw new FormatException($"'{attribute.Name}' is a simple attribute, but the value is a hashtable.");
            }

            if (attribute is not null && attribute.MultiValued)
            {
                // One hashtable for a multi-valued attribute is one item.
                object item = NormalizeObject(dictionary, ItemOf(attribute));
                return IsEmpty(item) ? Empty : new List<object?> { item };
            }

            var result = new ScimObject(dictionary.Count);
            foreach (DictionaryEntry entry in dictionary)
            {
                string name = Convert.ToString(entry.Key, CultureInfo.InvariantCulture) ?? string.Empty;
                ScimAttribute? sub = attribute?.FindSubAttribute(name);
                if (attribute is not null && sub is null)
                {
                    throw new FormatException($"'{name}' is not a sub-attribute of '{attribute.Name}'.");
                }

                object value = Normalize(entry.Value, sub);
                if (!IsEmpty(value))
                {
                    result.Add(new KeyValuePair<string, object?>(sub?.Name ?? name, value));
                }
            }

            return result.Count == 0 ? Empty : result;
        }

        private static object NormalizeSequence(IEnumerable sequence, ScimAttribute? attribute)
        {
            var items = new List<object?>();
            ScimAttribute? itemAttribute = attribute is not null && attribute.MultiValued ? ItemOf(attribute) : attribute;
            bool requiresValue = attribute?.MultiValued == true && attribute.FindSubAttribute("value") is not null;
            foreach (object? item in sequence)
            {
                object value = Normalize(item, itemAttribute);
                if (!IsEmpty(value) && (value is not ScimObject obj || CarriesData(obj, requiresValue)))
                {
                    items.Add(value);
                }
            }

            if (attribute is not null && !attribute.MultiValued)
            {
                // A scriptblock that writes one value to the pipeline inside an array still means one value.
                return items.Count switch
                {
                    0 => Empty,
                    1 => items[0]!,
                    _ => throw new FormatException($"'{attribute.Name}' holds one value, but {items.Count} values were given."),
                };
            }

            return items.Count == 0 ? Empty : items;
        }

        private static ScimAttribute ItemOf(ScimAttribute attribute) => attribute.Item;

        /// <summary>
        /// Whether an item of a multi-valued attribute carries data: its 'value' when the attribute has one,
        /// otherwise anything beyond the decorations type, primary and display (an address with only a type is no address).
        /// </summary>
        internal static bool CarriesData(ScimObject item, bool requiresValue)
        {
            if (requiresValue)
            {
                return IsPresent(item.Get("value"));
            }

            foreach (KeyValuePair<string, object?> pair in item)
            {
                if (!IsDecoration(pair.Key) && IsPresent(pair.Value))
                {
                    return true;
                }
            }

            return false;
        }

        internal static bool IsPresent(object? value) => value is not null && !IsEmpty(value) && !ReferenceEquals(value, Null);

        private static bool IsDecoration(string name)
            => name.Equals("type", StringComparison.OrdinalIgnoreCase) || name.Equals("primary", StringComparison.OrdinalIgnoreCase) || name.Equals("display", StringComparison.OrdinalIgnoreCase);

        internal static bool? ParseBoolean(string text)
        {
            string t = text.Trim();
            if (t.Equals("true", StringComparison.OrdinalIgnoreCase) || t.Equals("yes", StringComparison.OrdinalIgnoreCase) || t == "1")
            {
                return true;
            }

            if (t.Equals("false", StringComparison.OrdinalIgnoreCase) || t.Equals("no", StringComparison.OrdinalIgnoreCase) || t == "0")
            {
                return false;
            }

            return null;
        }

        internal static bool IsBlank(string text)
        {
            for (int i = 0; i < text.Length; i++)
            {
                if (!char.IsWhiteSpace(text[i]))
                {
                    return false;
                }
            }

            return true;
        }

        private static FormatException ComplexExpected(ScimAttribute attribute)
            => new FormatException($"'{attribute.Name}' is a complex attribute; the value must be a hashtable of its sub-attributes.");
    }
}
