using System;
using System.Collections.Generic;
using System.Linq;
using EntraInboundProvisioning.Sources;

namespace EntraInboundProvisioning.Mapping
{
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
