using System;
using System.Collections.Generic;
using System.Linq;
using EntraInboundProvisioning.Sources;

namespace EntraInboundProvisioning.Mapping
{
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
}
