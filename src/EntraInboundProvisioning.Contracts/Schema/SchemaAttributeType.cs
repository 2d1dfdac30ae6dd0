namespace EntraInboundProvisioning.Schema
{
    /// <summary>Data types of custom attributes in a synchronization schema directory.</summary>
    public enum SchemaAttributeType
    {
        /// <summary>Text.</summary>
        String,
        /// <summary>A whole number.</summary>
        Integer,
        /// <summary>True or false.</summary>
        Boolean,
        /// <summary>A date-time with offset (for example for employeeHireDate).</summary>
        DateTime,
        /// <summary>A reference to another object.</summary>
        Reference,
        /// <summary>Bytes.</summary>
        Binary,
    }
}
