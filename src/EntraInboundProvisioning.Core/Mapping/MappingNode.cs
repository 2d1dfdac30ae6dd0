using System;
using System.Collections.Generic;
using System.Linq;
using EntraInboundProvisioning.Sources;

namespace EntraInboundProvisioning.Mapping
{
    /// <summary>The forms a mapping entry takes (CSV2SCIM AttributeMapping.psd1 semantics).</summary>
    public enum MappingNodeKind
    {
        /// <summary>A string: the name of an input column.</summary>
        Column,
        /// <summary>A literal value that is not a string (for example <c>$true</c> or a number).</summary>
        Constant,
        /// <summary>A scriptblock: computed from the record (<c>$_</c>).</summary>
        Computed,
        /// <summary>A hashtable: a complex attribute, or a schema extension block under a URN key.</summary>
        Complex,
        /// <summary>An array of hashtables: a multi-valued attribute.</summary>
        MultiValued,
    }

    /// <summary>
    /// A computed value: the scriptblock's text, an optional compiled expression for the common pure forms
    /// (evaluated without PowerShell), and a delegate that evaluates the original on the pipeline thread.
    /// </summary>
    public sealed class ComputedValue
    {
        /// <summary>Creates a computed value.</summary>
        public ComputedValue(string text, Func<IRecord, object?>? evaluate, MappingExpression? expression = null)
        {
            if (evaluate is null && expression is null)
            {
                throw new ArgumentException("A computed value needs a delegate or an expression.");
            }

            Text = text;
            Evaluate = evaluate;
            Expression = expression;
        }

        /// <summary>The source text, for messages.</summary>
        public string Text { get; }

        /// <summary>Evaluates the original scriptblock; null when only the expression exists.</summary>
        public Func<IRecord, object?>? Evaluate { get; }

        /// <summary>A compiled form of the scriptblock, when it is one of the pure forms Core understands.</summary>
        public MappingExpression? Expression { get; }

        /// <summary>Evaluates the value: the compiled expression where it applies, the delegate otherwise.</summary>
        public object? Invoke(IRecord record)
        {
            if (Expression is not null)
            {
                object? result = Expression.Evaluate(record);
                if (!ReferenceEquals(result, MappingExpression.NotApplicable))
                {
                    return result;
                }

                if (Evaluate is null)
                {
                    throw new InvalidOperationException($"The expression {Text} cannot be evaluated for this record without PowerShell.");
                }
            }

            return Evaluate!(record);
        }
    }

    /// <summary>One entry of an attribute mapping tree.</summary>
    public sealed class MappingNode
    {
        private MappingNode(MappingNodeKind kind, string name)
        {
            Kind = kind;
            Name = name;
        }

        /// <summary>What the entry is.</summary>
        public MappingNodeKind Kind { get; }

        /// <summary>The attribute name (a URN for an extension block; empty for an item of a multi-valued attribute).</summary>
        public string Name { get; }

        /// <summary>The column name, for <see cref="MappingNodeKind.Column"/>.</summary>
        public string? Column { get; private set; }

        /// <summary>The literal, for <see cref="MappingNodeKind.Constant"/>.</summary>
        public object? Constant { get; private set; }

        /// <summary>The computation, for <see cref="MappingNodeKind.Computed"/>.</summary>
        public ComputedValue? Computed { get; private set; }

        /// <summary>Sub-attributes (Complex) or items (MultiValued), in the order given.</summary>
        public IReadOnlyList<MappingNode> Children { get; private set; } = Array.Empty<MappingNode>();

        /// <summary>True for a leaf (column, constant or computed).</summary>
        public bool IsLeaf => Kind is MappingNodeKind.Column or MappingNodeKind.Constant or MappingNodeKind.Computed;

        /// <summary>A column leaf.</summary>
        public static MappingNode ForColumn(string name, string column) => new MappingNode(MappingNodeKind.Column, name) { Column = column };

        /// <summary>A constant leaf.</summary>
        public static MappingNode ForConstant(string name, object? value) => new MappingNode(MappingNodeKind.Constant, name) { Constant = value };

        /// <summary>A computed leaf.</summary>
        public static MappingNode ForComputed(string name, ComputedValue computed) => new MappingNode(MappingNodeKind.Computed, name) { Computed = computed };

        /// <summary>A complex attribute or an extension block.</summary>
        public static MappingNode ForComplex(string name, IEnumerable<MappingNode> children) => new MappingNode(MappingNodeKind.Complex, name) { Children = children.ToArray() };

        /// <summary>A multi-valued attribute; items are usually complex nodes with an empty name.</summary>
        public static MappingNode ForMultiValued(string name, IEnumerable<MappingNode> items) => new MappingNode(MappingNodeKind.MultiValued, name) { Children = items.ToArray() };

        /// <summary>Finds a child by name, case-insensitively.</summary>
        public MappingNode? Find(string name) => Children.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

        /// <summary>Every column this entry and its children read by name.</summary>
        public IEnumerable<string> Columns()
        {
            if (Kind == MappingNodeKind.Column)
            {
                yield return Column!;
            }

            if (Kind == MappingNodeKind.Computed && Computed!.Expression is not null)
            {
                foreach (string column in Computed.Expression.Columns())
                {
                    yield return column;
                }
            }

            foreach (MappingNode child in Children)
            {
                foreach (string column in child.Columns())
                {
                    yield return column;
                }
            }
        }

        /// <inheritdoc />
        public override string ToString() => Kind switch
        {
            MappingNodeKind.Column => $"{Name} = '{Column}'",
            MappingNodeKind.Constant => $"{Name} = {Constant}",
            MappingNodeKind.Computed => $"{Name} = {Computed!.Text}",
            _ => $"{Name} ({Kind}, {Children.Count})",
        };
    }

    /// <summary>A whole attribute mapping: the root entries and where the mapping came from.</summary>
    public sealed class AttributeMapping
    {
        /// <summary>Creates a mapping.</summary>
        public AttributeMapping(IEnumerable<MappingNode> entries, string? source = null)
        {
            Entries = entries.ToArray();
            Source = source;
        }

        /// <summary>Top-level entries: core attributes and extension blocks (URN keys).</summary>
        public IReadOnlyList<MappingNode> Entries { get; }

        /// <summary>The .psd1 file, or null for an in-memory hashtable.</summary>
        public string? Source { get; }

        /// <summary>Finds a top-level entry by name, case-insensitively.</summary>
        public MappingNode? Find(string name) => Entries.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));

        /// <summary>Every column the mapping reads by name (distinct, case-insensitive), in mapping order.</summary>
        public IReadOnlyList<string> Columns() => Entries.SelectMany(e => e.Columns()).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();

        /// <summary>
        /// The mapping used when none is given: input columns whose names are SCIM core User attributes
        /// (externalId, userName, active, displayName, title …) map to those attributes.
        /// </summary>
        public static AttributeMapping FromSameNamedColumns(IEnumerable<string> columns)
        {
            var entries = new List<MappingNode>();
            foreach (string column in columns)
            {
                Scim.ScimAttribute? attribute = Scim.ScimSchemas.CoreUser.Find(column);
                if (attribute is not null && attribute.Type != Scim.ScimAttributeType.Complex && attribute.Mutability == Scim.ScimMutability.ReadWrite
                    && !entries.Any(e => string.Equals(e.Name, attribute.Name, StringComparison.OrdinalIgnoreCase)))
                {
                    entries.Add(MappingNode.ForColumn(attribute.Name, column));
                }
            }

            return new AttributeMapping(entries);
        }
    }
}
