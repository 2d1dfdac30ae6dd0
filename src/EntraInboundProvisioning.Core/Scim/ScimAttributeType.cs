using System;
using System.Collections.Generic;
using System.Linq;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>SCIM attribute data types (RFC 7643 section 2.3).</summary>
    public enum ScimAttributeType
    {
        /// <summary>A sequence of characters.</summary>
        String,
        /// <summary>true or false.</summary>
        Boolean,
        /// <summary>A decimal number.</summary>
        Decimal,
        /// <summary>A whole number.</summary>
        Integer,
        /// <summary>An xsd:dateTime with time and offset.</summary>
        DateTime,
        /// <summary>Base64-encoded bytes.</summary>
        Binary,
        /// <summary>A URI reference.</summary>
        Reference,
        /// <summary>A set of sub-attributes.</summary>
        Complex,
    }
}
