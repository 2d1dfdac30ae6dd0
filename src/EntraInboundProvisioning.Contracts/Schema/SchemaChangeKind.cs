namespace EntraInboundProvisioning.Schema
{
    /// <summary>What a schema change did, for -PassThru, -WhatIf and verbose output.</summary>
    public enum SchemaChangeKind
    {
        /// <summary>An attribute was added to the API source directory.</summary>
        AttributeAdded,
        /// <summary>The attribute was already there (compared ignoring case); nothing changed.</summary>
        AttributeExists,
        /// <summary>An attribute mapping was added.</summary>
        MappingAdded,
        /// <summary>A mapping to the target already existed and was left alone.</summary>
        MappingExists,
        /// <summary>A mapping to the target existed and was replaced (-Force).</summary>
        MappingReplaced,
    }
}
