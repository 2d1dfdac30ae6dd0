using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using EntraInboundProvisioning.Sources;

namespace EntraInboundProvisioning.Mapping
{
    /// <summary>
    /// A pure expression over one record, compiled from the common scriptblock forms of mapping files
    /// (<c>{ 'work' }</c>, <c>{ $_.Status -eq 'Active' }</c>, <c>{ "$($_.First) $($_.Last)" }</c>) so they run
    /// without a PowerShell pipeline. It implements PowerShell's semantics for string and null operands only;
    /// any other operand type yields <see cref="NotApplicable"/> and the original scriptblock runs instead.
    /// </summary>
    public abstract class MappingExpression
    {
        /// <summary>Returned when the operands are outside what the expression can evaluate exactly.</summary>
        public static readonly object NotApplicable = new object();

        /// <summary>Evaluates the expression for a record.</summary>
        public abstract object? Evaluate(IRecord record);

        /// <summary>Columns the expression reads.</summary>
        public virtual IEnumerable<string> Columns() => Enumerable.Empty<string>();

        /// <summary>A literal.</summary>
        public static MappingExpression Literal(object? value) => new LiteralExpression(value);

        /// <summary><c>$_.Name</c>: the record's field, or null when it has none.</summary>
        public static MappingExpression Column(string name) => new ColumnExpression(name);

        /// <summary><c>-eq</c>/<c>-ieq</c>/<c>-ceq</c> and their <c>-ne</c> forms.</summary>
        public static MappingExpression Equal(MappingExpression left, MappingExpression right, bool caseSensitive = false, bool negate = false)
            => new EqualityExpression(left, right, caseSensitive, negate);

        /// <summary><c>-and</c>.</summary>
        public static MappingExpression And(MappingExpression left, MappingExpression right) => new LogicalExpression(left, right, isAnd: true);

        /// <summary><c>-or</c>.</summary>
        public static MappingExpression Or(MappingExpression left, MappingExpression right) => new LogicalExpression(left, right, isAnd: false);

        /// <summary><c>-not</c> / <c>!</c>.</summary>
        public static MappingExpression Not(MappingExpression operand) => new NotExpression(operand);

        /// <summary>String concatenation: <c>+</c> with a string on the left, or an expandable string.</summary>
        public static MappingExpression Concat(IEnumerable<MappingExpression> parts, bool isExpandableString)
            => new ConcatExpression(parts.ToArray(), isExpandableString);

        /// <summary>PowerShell's conversion of a string-or-null value to bool.</summary>
        protected static object ToBoolean(object? value)
        {
            switch (value)
            {
                case null:
                    return false;
                case bool b:
                    return b;
                case string s:
                    return s.Length != 0;
                default:
                    return NotApplicable;
            }
        }

        private sealed class LiteralExpression : MappingExpression
        {
            private readonly object? _value;

            public LiteralExpression(object? value) => _value = value;

            public override object? Evaluate(IRecord record) => _value;

            public override string ToString() => _value is string s ? $"'{s}'" : _value?.ToString() ?? "$null";
        }

        private sealed class ColumnExpression : MappingExpression
        {
            private readonly string _name;
            private RecordHeader? _header;
            private int _index;

            public ColumnExpression(string name) => _name = name;

            public override object? Evaluate(IRecord record)
            {
                object? value;
                if (record is IIndexedRecord indexed)
                {
                    if (!ReferenceEquals(indexed.Header, _header))
                    {
                        _header = indexed.Header;
                        _index = _header.IndexOf(_name);
                    }

                    value = _index < 0 ? null : indexed.GetValue(_index);
                }
                else if (!record.TryGetValue(_name, out value))
                {
                    value = null;
                }

                // Only text and null have exactly PowerShell's semantics here; typed values go to the scriptblock.
                return value is null || value is string ? value : NotApplicable;
            }

            public override IEnumerable<string> Columns()
            {
                yield return _name;
            }

            public override string ToString() => $"$_.{_name}";
        }

        private sealed class EqualityExpression : MappingExpression
        {
            private readonly MappingExpression _left;
            private readonly MappingExpression _right;
            private readonly StringComparer _comparer;
            private readonly bool _negate;

            public EqualityExpression(MappingExpression left, MappingExpression right, bool caseSensitive, bool negate)
            {
                _left = left;
                _right = right;
                // PowerShell compares strings with the invariant culture.
                _comparer = caseSensitive ? StringComparer.InvariantCulture : StringComparer.InvariantCultureIgnoreCase;
                _negate = negate;
            }

            public override object? Evaluate(IRecord record)
            {
                object? left = _left.Evaluate(record);
                object? right = _right.Evaluate(record);
                if (ReferenceEquals(left, NotApplicable) || ReferenceEquals(right, NotApplicable))
                {
                    return NotApplicable;
                }

                bool equal;
                if (left is null)
                {
                    equal = right is null;
                }
                else if (left is string l)
                {
                    // With a string on the left, PowerShell converts the right operand to string; $null stays unequal.
                    equal = right is string r && _comparer.Equals(l, r);
                }
                else
                {
                    return NotApplicable;
                }

                return equal != _negate;
            }

            public override IEnumerable<string> Columns() => _left.Columns().Concat(_right.Columns());
        }

        private sealed class LogicalExpression : MappingExpression
        {
            private readonly MappingExpression _left;
            private readonly MappingExpression _right;
            private readonly bool _isAnd;

            public LogicalExpression(MappingExpression left, MappingExpression right, bool isAnd)
            {
                _left = left;
                _right = right;
                _isAnd = isAnd;
            }

            public override object? Evaluate(IRecord record)
            {
                object left = ToBoolean(_left.Evaluate(record));
                if (ReferenceEquals(left, NotApplicable))
                {
                    return NotApplicable;
                }

                // PowerShell short-circuits -and / -or.
                if ((bool)left != _isAnd)
                {
                    return left;
                }

                return ToBoolean(_right.Evaluate(record));
            }

            public override IEnumerable<string> Columns() => _left.Columns().Concat(_right.Columns());
        }

        private sealed class NotExpression : MappingExpression
        {
            private readonly MappingExpression _operand;

            public NotExpression(MappingExpression operand) => _operand = operand;

            public override object? Evaluate(IRecord record)
            {
                object value = ToBoolean(_operand.Evaluate(record));
                return ReferenceEquals(value, NotApplicable) ? NotApplicable : !(bool)value;
            }

            public override IEnumerable<string> Columns() => _operand.Columns();
        }

        private sealed class ConcatExpression : MappingExpression
        {
            private readonly MappingExpression[] _parts;
            private readonly bool _isExpandableString;

            public ConcatExpression(MappingExpression[] parts, bool isExpandableString)
            {
                _parts = parts;
                _isExpandableString = isExpandableString;
            }

            public override object? Evaluate(IRecord record)
            {
                object? first = _parts[0].Evaluate(record);
                if (ReferenceEquals(first, NotApplicable))
                {
                    return NotApplicable;
                }

                // '+' with $null on the left yields the right operand unchanged ($null + $null is $null);
                // an expandable string always yields a string.
                if (first is null && !_isExpandableString && _parts.Length == 2)
                {
                    return _parts[1].Evaluate(record);
                }

                if (first is not null && first is not string && !_isExpandableString)
                {
                    return NotApplicable;
                }

                var text = new System.Text.StringBuilder();
                text.Append((string?)first);
                for (int i = 1; i < _parts.Length; i++)
                {
                    object? part = _parts[i].Evaluate(record);
                    if (ReferenceEquals(part, NotApplicable))
                    {
                        return NotApplicable;
                    }

                    switch (part)
                    {
                        case null:
                            break;
                        case string s:
                            text.Append(s);
                            break;
                        case bool b:
                            text.Append(b ? "True" : "False");
                            break;
                        default:
                            return NotApplicable;
                    }
                }

                return text.ToString();
            }

            public override IEnumerable<string> Columns() => _parts.SelectMany(p => p.Columns());
        }
    }

    /// <summary>Formats values as PowerShell would when it turns them into text for a SCIM string attribute.</summary>
    internal static class InvariantText
    {
        public static string Format(object value) => value switch
        {
            string s => s,
            bool b => b ? "True" : "False",
            DateTime d => d.ToString("o", CultureInfo.InvariantCulture),
            DateTimeOffset d => d.ToString("o", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? string.Empty,
        };
    }
}
