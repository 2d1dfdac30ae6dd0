using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EntraInboundProvisioning.Schema
{
    /// <summary>A custom attribute to add to the API source directory.</summary>
    public sealed class SchemaAttributeSpec
    {
        /// <summary>Creates a spec; <paramref name="name"/> is the full name, <c>&lt;urn&gt;:&lt;attribute&gt;</c>.</summary>
        public SchemaAttributeSpec(string name, SchemaAttributeType type = SchemaAttributeType.String, bool multivalued = false, bool flowNullValues = false)
        {
            Name = name;
            Type = type;
            Multivalued = multivalued;
            FlowNullValues = flowNullValues;
        }

        /// <summary>The full attribute name.</summary>
        public string Name { get; }

        /// <summary>The data type.</summary>
        public SchemaAttributeType Type { get; }

        /// <summary>Whether it holds several values.</summary>
        public bool Multivalued { get; }

        /// <summary>Whether nulls flow to the target (clearing it).</summary>
        public bool FlowNullValues { get; }
    }
}
