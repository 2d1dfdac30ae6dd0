using System;
using System.Collections.Generic;
using System.Linq;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>One attribute of a SCIM schema.</summary>
    public sealed class ScimAttribute
    {
        private readonly Dictionary<string, ScimAttribute> _byName;

        internal ScimAttribute(string name, ScimAttributeType type, bool multiValued = false, ScimMutability mutability = ScimMutability.ReadWrite, string[]? canonicalValues = null, params ScimAttribute[] subAttributes)
        {
            Name = name;
            Type = type;
            MultiValued = multiValued;
            Mutability = mutability;
            CanonicalValues = canonicalValues ?? Array.Empty<string>();
            SubAttributes = subAttributes;
            _byName = subAttributes.ToDictionary(a => a.Name, StringComparer.OrdinalIgnoreCase);
        }

        /// <summary>The attribute name, as spelled by the schema.</summary>
        public string Name { get; }

        /// <summary>The data type.</summary>
        public ScimAttributeType Type { get; }

        /// <summary>Whether the attribute holds a list.</summary>
        public bool MultiValued { get; }

        /// <summary>Whether clients may write it.</summary>
        public ScimMutability Mutability { get; }

        /// <summary>Suggested values (for example <c>work</c>, <c>home</c>).</summary>
        public IReadOnlyList<string> CanonicalValues { get; }

        /// <summary>Sub-attributes of a complex attribute, in schema order.</summary>
        public IReadOnlyList<ScimAttribute> SubAttributes { get; }

        private ScimAttribute? _item;

        /// <summary>For a multi-valued attribute, the single-valued attribute describing one of its items.</summary>
        internal ScimAttribute Item => _item ??= MultiValued
            ? new ScimAttribute(Name, Type, multiValued: false, Mutability, null, System.Linq.Enumerable.ToArray(SubAttributes))
            : this;

        /// <summary>Finds a sub-attribute by name, case-insensitively (SCIM names are case-insensitive).</summary>
        public ScimAttribute? FindSubAttribute(string name) => _byName.TryGetValue(name, out ScimAttribute? a) ? a : null;

        /// <inheritdoc />
        public override string ToString() => Name;
    }
}
