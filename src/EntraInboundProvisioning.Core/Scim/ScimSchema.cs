using System;
using System.Collections.Generic;
using System.Linq;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>A SCIM resource schema or schema extension: an id (URN) and its attributes.</summary>
    public sealed class ScimSchema
    {
        private readonly Dictionary<string, ScimAttribute> _byName;
        private readonly Dictionary<string, int> _order;

        internal ScimSchema(string id, params ScimAttribute[] attributes)
        {
            Id = id;
            Attributes = attributes;
            _byName = attributes.ToDictionary(a => a.Name, StringComparer.OrdinalIgnoreCase);
            _order = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < attributes.Length; i++)
            {
                _order[attributes[i].Name] = i;
            }
        }

        /// <summary>The schema URN.</summary>
        public string Id { get; }

        /// <summary>Top-level attributes in schema order.</summary>
        public IReadOnlyList<ScimAttribute> Attributes { get; }

        /// <summary>Finds an attribute by name, case-insensitively.</summary>
        public ScimAttribute? Find(string name) => _byName.TryGetValue(name, out ScimAttribute? a) ? a : null;

        /// <summary>Position of an attribute in the schema (for stable output order), or -1.</summary>
        public int OrderOf(string name) => _order.TryGetValue(name, out int i) ? i : -1;

        /// <inheritdoc />
        public override string ToString() => Id;
    }
}
