using System;
using System.Collections.Generic;
using System.Linq;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>Whether a client may write an attribute (RFC 7643 section 2.2).</summary>
    public enum ScimMutability
    {
        /// <summary>Clients may set it.</summary>
        ReadWrite,
        /// <summary>Set by the service provider only.</summary>
        ReadOnly,
        /// <summary>Set once, then fixed.</summary>
        Immutable,
        /// <summary>Written but never returned (password).</summary>
        WriteOnly,
    }
}
