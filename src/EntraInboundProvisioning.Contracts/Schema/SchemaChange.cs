namespace EntraInboundProvisioning.Schema
{
    /// <summary>One change (or non-change) to the schema.</summary>
    public sealed class SchemaChange
    {
        internal SchemaChange(SchemaChangeKind kind, string directory, string attribute, string? type = null, string? target = null, string? previousSource = null)
        {
            Kind = kind;
            Directory = directory;
            Attribute = attribute;
            Type = type;
            TargetAttribute = target;
            PreviousSource = previousSource;
        }

        /// <summary>What happened.</summary>
        public SchemaChangeKind Kind { get; }

        /// <summary>The directory changed (the API source directory).</summary>
        public string Directory { get; }

        /// <summary>The source attribute (full name).</summary>
        public string Attribute { get; }

        /// <summary>The attribute's type, for attribute changes.</summary>
        public string? Type { get; }

        /// <summary>The target (Entra ID / AD) attribute, for mapping changes.</summary>
        public string? TargetAttribute { get; }

        /// <summary>The source of a mapping that existed before, for MappingExists and MappingReplaced.</summary>
        public string? PreviousSource { get; }

        /// <inheritdoc />
        public override string ToString() => TargetAttribute is null ? $"{Kind} {Attribute} ({Type})" : $"{Kind} {Attribute} -> {TargetAttribute}";
    }
}
