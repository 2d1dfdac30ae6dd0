using System;
using System.Collections.Generic;
using System.Linq;
using EntraInboundProvisioning.Scim;
using EntraInboundProvisioning.Sources;

namespace EntraInboundProvisioning.Mapping
{
    /// <summary>
    /// A mapping bound to the SCIM schemas: every entry knows its attribute definition, children are in schema
    /// order (so output does not depend on hashtable order), and column leaves cache their index per header.
    /// </summary>
    internal sealed class MappingPlan
    {
        public MappingPlan(AttributeMapping mapping)
        {
            var core = new List<PlanNode>();
            var extensions = new List<PlanNode>();
            foreach (MappingNode entry in mapping.Entries)
            {
                if (ScimSchemas.LooksLikeUrn(entry.Name))
                {
                    ScimSchema? schema = ScimSchemas.Find(entry.Name);
                    string urn = schema?.Id ?? entry.Name;
                    PlanNode[] children = entry.Children
                        .Select(c => Bind(c, schema?.Find(c.Name), urn + ":" + c.Name))
                        .OrderBy(c => schema is null ? 0 : schema.OrderOf(c.Name))
                        .ThenBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
                        .ToArray();
                    extensions.Add(new PlanNode(urn, null, entry, children, urn));
                }
                else
                {
                    core.Add(Bind(entry, ScimSchemas.CoreUser.Find(entry.Name), entry.Name));
                }
            }

            // One order whatever order the mapping lists its keys in (a hashtable's order differs from process to
            // process, and a run state compares records byte for byte): known attributes in schema order, others by
            // name; the enterprise extension before custom ones, which go by URN.
            Core = core.OrderBy(n => ScimSchemas.CoreUser.OrderOf(n.Name)).ThenBy(n => n.Name, StringComparer.OrdinalIgnoreCase).ToArray();
            Extensions = extensions.OrderBy(n => string.Equals(n.Name, ScimSchemas.EnterpriseUserUrn, StringComparison.Ordinal) ? 0 : 1).ThenBy(n => n.Name, StringComparer.OrdinalIgnoreCase).ToArray();
            ExternalId = Core.FirstOrDefault(n => n.Name == "externalId");
            UserName = Core.FirstOrDefault(n => n.Name == "userName");
            Active = Core.FirstOrDefault(n => n.Name == "active");
            EnterpriseIndex = Array.FindIndex(Extensions, e => string.Equals(e.Name, ScimSchemas.EnterpriseUserUrn, StringComparison.Ordinal));
        }

        public PlanNode[] Core { get; }

        public PlanNode[] Extensions { get; }

        public PlanNode? ExternalId { get; }

        public PlanNode? UserName { get; }

        public PlanNode? Active { get; }

        /// <summary>Index of the enterprise extension in <see cref="Extensions"/> (where manager lives), or -1.</summary>
        public int EnterpriseIndex { get; }

        /// <summary>True when the mapping can produce <c>manager.value</c> (a column, a scriptblock or a hashtable).</summary>
        public bool MapsManager => EnterpriseIndex >= 0 && Extensions[EnterpriseIndex].Children.Any(c => string.Equals(c.Name, "manager", StringComparison.OrdinalIgnoreCase));

        /// <summary>Every leaf and complex node, depth first.</summary>
        public IEnumerable<PlanNode> AllNodes()
        {
            var stack = new Stack<PlanNode>(Core.Concat(Extensions).Reverse());
            while (stack.Count > 0)
            {
                PlanNode node = stack.Pop();
                yield return node;
                for (int i = node.Children.Length - 1; i >= 0; i--)
                {
                    stack.Push(node.Children[i]);
                }
            }
        }

        private static PlanNode Bind(MappingNode node, ScimAttribute? attribute, string path)
        {
            string name = attribute?.Name ?? node.Name;
            switch (node.Kind)
            {
                case MappingNodeKind.Complex:
                {
                    ScimAttribute? item = attribute?.MultiValued == true ? attribute.Item : attribute;
                    PlanNode[] children = node.Children
                        .Select(c => Bind(c, item?.FindSubAttribute(c.Name), path + "." + c.Name))
                        .OrderBy(c => item is null ? 0 : IndexOf(item, c.Name))
                        .ThenBy(c => c.Name, StringComparer.OrdinalIgnoreCase)
                        .ToArray();
                    return new PlanNode(name, attribute, node, children, path);
                }

                case MappingNodeKind.MultiValued:
                {
                    ScimAttribute? item = attribute?.Item;
                    PlanNode[] items = node.Children.Select((c, i) => Bind(c, item, $"{path}[{i}]")).ToArray();
                    return new PlanNode(name, attribute, node, items, path);
                }

                default:
                    return new PlanNode(name, attribute, node, Array.Empty<PlanNode>(), path);
            }
        }

        private static int IndexOf(ScimAttribute attribute, string name)
        {
            for (int i = 0; i < attribute.SubAttributes.Count; i++)
            {
                if (string.Equals(attribute.SubAttributes[i].Name, name, StringComparison.OrdinalIgnoreCase))
                {
                    return i;
                }
            }

            return int.MaxValue;
        }
    }

    /// <summary>One bound entry of a <see cref="MappingPlan"/>.</summary>
    internal sealed class PlanNode
    {
        private RecordHeader? _header;
        private int _index;

        public PlanNode(string name, ScimAttribute? attribute, MappingNode source, PlanNode[] children, string path)
        {
            Name = name;
            Attribute = attribute;
            Source = source;
            Children = children;
            Path = path;
            HasValueChild = children.Any(c => string.Equals(c.Name, "value", StringComparison.OrdinalIgnoreCase));
        }

        /// <summary>The attribute name as the schema spells it (or as mapped, for custom attributes).</summary>
        public string Name { get; }

        /// <summary>The schema definition; null for custom extension attributes.</summary>
        public ScimAttribute? Attribute { get; }

        public MappingNode Source { get; }

        public PlanNode[] Children { get; }

        /// <summary>The attribute path for messages, for example <c>addresses[0].locality</c>.</summary>
        public string Path { get; }

        /// <summary>True for a multi-valued item that maps a 'value' sub-attribute.</summary>
        public bool HasValueChild { get; }

        /// <summary>True when the value lands on an Entra date-time attribute: sent as ISO 8601 in UTC.</summary>
        public bool IsDate { get; set; }

        /// <summary>Reads a column leaf, resolving the column index once per header.</summary>
        public object? ReadColumn(IRecord record)
        {
            string column = Source.Column!;
            if (record is IIndexedRecord indexed)
            {
                if (!ReferenceEquals(indexed.Header, _header))
                {
                    _header = indexed.Header;
                    _index = _header.IndexOf(column);
                }

                return _index < 0 ? null : indexed.GetValue(_index);
            }

            return record.TryGetValue(column, out object? value) ? value : null;
        }
    }
}
