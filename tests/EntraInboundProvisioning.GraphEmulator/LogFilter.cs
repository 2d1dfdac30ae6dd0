using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace EntraInboundProvisioning.GraphEmulator
{
    /// <summary>
    /// The $filter of GET /auditLogs/provisioning, held to what Microsoft documents for provisioningObjectSummary:
    /// activityDateTime takes eq, gt and lt (not ge or le); id, tenantId, jobId, cycleId, changeId, provisioningAction,
    /// provisioningStatusInfo/status and sourceIdentity/id take eq. Clauses combine with and, or and parentheses, as
    /// OData has them. An operator the API does not document for a property is a 400, as the service answers, so a client
    /// that sends one fails here too. The documented contains() is not emulated (the module never sends it).
    /// </summary>
    internal sealed class LogFilter
    {
        private static readonly Dictionary<string, Func<LogRecord, string>> Strings = new Dictionary<string, Func<LogRecord, string>>(StringComparer.OrdinalIgnoreCase)
        {
            ["id"] = r => r.Id,
            ["tenantId"] = r => r.TenantId,
            ["jobId"] = r => r.JobId,
            ["cycleId"] = r => r.CycleId,
            ["changeId"] = r => r.ChangeId,
            ["sourceIdentity/id"] = r => r.ExternalId,
            ["provisioningAction"] = r => r.Action,
            ["provisioningStatusInfo/status"] = r => r.Status,
        };

        private readonly Node? _root;

        private LogFilter(Node? root) => _root = root;

        /// <summary>Parses a $filter; an empty one matches everything.</summary>
        /// <exception cref="FormatException">Not a filter the API accepts (the text says why).</exception>
        public static LogFilter Parse(string filter)
        {
            if (filter.Trim().Length == 0)
            {
                return new LogFilter(null);
            }

            var parser = new Parser(Tokenize(filter));
            Node root = parser.Or();
            if (!parser.AtEnd)
            {
                throw new FormatException($"Invalid filter: unexpected '{parser.Peek}'.");
            }

            return new LogFilter(root);
        }

        public bool Matches(LogRecord record) => _root is null || _root.Matches(record);

        /// <summary>
        /// Equalities the filter requires of every match, on the fields the log indexes (lower-cased field, values): a
        /// top-level 'field eq v', or a top-level group of 'field eq v1 or field eq v2 …' on one field.
        /// </summary>
        public IEnumerable<(string Field, IReadOnlyList<string> Values)> IndexedEqualities()
        {
            foreach (Node conjunct in Conjuncts())
            {
                var values = new List<string>();
                string? field = null;
                if (Disjuncts(conjunct, ref field, values))
                {
                    yield return (field!.ToLowerInvariant(), values);
                }
            }
        }

        /// <summary>Time bounds every match is within: activityDateTime after 'after' and before 'before' (ticks, exclusive).</summary>
        public (long? After, long? Before) TimeBounds()
        {
            long? after = null, before = null;
            foreach (Node conjunct in Conjuncts())
            {
                if (conjunct is Atom { IsTime: true } atom)
                {
                    long t = atom.Ticks;
                    switch (atom.Operator)
                    {
                        case "gt":
                            after = after is long a ? Math.Max(a, t) : t;
                            break;
                        case "lt":
                            before = before is long b ? Math.Min(b, t) : t;
                            break;
                        default:
                            after = after is long a2 ? Math.Max(a2, t - 1) : t - 1;
                            before = before is long b2 ? Math.Min(b2, t + 1) : t + 1;
                            break;
                    }
                }
            }

            return (after, before);
        }

        private IEnumerable<Node> Conjuncts()
        {
            if (_root is null)
            {
                yield break;
            }

            var pending = new Stack<Node>();
            pending.Push(_root);
            while (pending.Count > 0)
            {
                Node node = pending.Pop();
                if (node is And and)
                {
                    pending.Push(and.Left);
                    pending.Push(and.Right);
                }
                else
                {
                    yield return node;
                }
            }
        }

        private static bool Disjuncts(Node node, ref string? field, List<string> values)
        {
            switch (node)
            {
                case Or or:
                    return Disjuncts(or.Left, ref field, values) && Disjuncts(or.Right, ref field, values);
                case Atom { Operator: "eq", IsTime: false } atom when field is null || string.Equals(field, atom.Field, StringComparison.OrdinalIgnoreCase):
                    field = atom.Field;
                    values.Add(atom.Value);
                    return true;
                default:
                    return false;
            }
        }

        private static List<string> Tokenize(string text)
        {
            var tokens = new List<string>();
            int i = 0;
            while (i < text.Length)
            {
                char c = text[i];
                if (char.IsWhiteSpace(c))
                {
                    i++;
                }
                else if (c is '(' or ')')
                {
                    tokens.Add(c.ToString());
                    i++;
                }
                else if (c == '\'')
                {
                    var literal = new StringBuilder("'");
                    i++;
                    while (true)
                    {
                        if (i >= text.Length)
                        {
                            throw new FormatException("Invalid filter: a string literal is not closed.");
                        }

                        if (text[i] == '\'')
                        {
                            if (i + 1 < text.Length && text[i + 1] == '\'')
                            {
                                literal.Append('\'');
                                i += 2;
                                continue;
                            }

                            i++;
                            break;
                        }

                        literal.Append(text[i++]);
                    }

                    tokens.Add(literal.ToString());
                }
                else
                {
                    int start = i;
                    while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] is not '(' and not ')')
                    {
                        i++;
                    }

                    tokens.Add(text.Substring(start, i - start));
                }
            }

            return tokens;
        }

        private abstract class Node
        {
            public abstract bool Matches(LogRecord record);
        }

        private sealed class And(Node left, Node right) : Node
        {
            public Node Left { get; } = left;

            public Node Right { get; } = right;

            public override bool Matches(LogRecord record) => Left.Matches(record) && Right.Matches(record);
        }

        private sealed class Or(Node left, Node right) : Node
        {
            public Node Left { get; } = left;

            public Node Right { get; } = right;

            public override bool Matches(LogRecord record) => Left.Matches(record) || Right.Matches(record);
        }

        private sealed class Atom : Node
        {
            private readonly Func<LogRecord, string>? _read;

            public Atom(string field, string op, string value)
            {
                Field = field;
                Operator = op.ToLowerInvariant();
                if (string.Equals(field, "activityDateTime", StringComparison.OrdinalIgnoreCase))
                {
                    // Documented for activityDateTime: eq, gt, lt. A ge or le the service refuses, so the emulator does too.
                    if (Operator is not ("eq" or "gt" or "lt"))
                    {
                        throw new FormatException($"Invalid filter clause: the operator '{op}' is not supported for activityDateTime; use eq, gt or lt.");
                    }

                    if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at))
                    {
                        throw new FormatException($"Invalid filter clause: '{value}' is not a date-time.");
                    }

                    IsTime = true;
                    Ticks = at.UtcTicks;
                    Value = value;
                    return;
                }

                if (!Strings.TryGetValue(field, out _read))
                {
                    throw new FormatException($"Invalid filter clause: filtering on '{field}' is not supported.");
                }

                if (Operator != "eq")
                {
                    throw new FormatException($"Invalid filter clause: the operator '{op}' is not supported for {field}; use eq.");
                }

                if (!value.StartsWith('\''))
                {
                    throw new FormatException($"Invalid filter clause: {field} compares with a string literal in single quotes, not {value}.");
                }

                Value = value.Substring(1);
            }

            public string Field { get; }

            public string Operator { get; }

            public string Value { get; }

            public bool IsTime { get; }

            public long Ticks { get; }

            public override bool Matches(LogRecord record)
            {
                if (IsTime)
                {
                    return Operator switch
                    {
                        "gt" => record.Ticks > Ticks,
                        "lt" => record.Ticks < Ticks,
                        _ => record.Ticks == Ticks,
                    };
                }

                return string.Equals(_read!(record), Value, StringComparison.OrdinalIgnoreCase);
            }
        }

        /// <summary>OData precedence: 'and' binds tighter than 'or'; parentheses group.</summary>
        private sealed class Parser(List<string> tokens)
        {
            private int _next;

            public bool AtEnd => _next >= tokens.Count;

            public string Peek => AtEnd ? "the end" : tokens[_next];

            public Node Or()
            {
                Node left = And();
                while (IsWord("or"))
                {
                    _next++;
                    left = new LogFilter.Or(left, And());
                }

                return left;
            }

            private Node And()
            {
                Node left = Unary();
                while (IsWord("and"))
                {
                    _next++;
                    left = new LogFilter.And(left, Unary());
                }

                return left;
            }

            private Node Unary()
            {
                if (!AtEnd && tokens[_next] == "(")
                {
                    _next++;
                    Node inner = Or();
                    if (AtEnd || tokens[_next] != ")")
                    {
                        throw new FormatException("Invalid filter: a parenthesis is not closed.");
                    }

                    _next++;
                    return inner;
                }

                if (_next + 2 >= tokens.Count)
                {
                    throw new FormatException($"Invalid filter clause near '{string.Join(' ', tokens.Skip(_next))}'.");
                }

                string field = tokens[_next], op = tokens[_next + 1], value = tokens[_next + 2];
                if (field.Contains('(', StringComparison.Ordinal) || op is "(" or ")" || value is "(" or ")")
                {
                    throw new FormatException($"Invalid filter clause near '{field} {op}'.");
                }

                _next += 3;
                return new Atom(field, op, value);
            }

            private bool IsWord(string word) => !AtEnd && string.Equals(tokens[_next], word, StringComparison.OrdinalIgnoreCase);
        }
    }
}
