using System;
using System.Collections.Generic;
using System.Linq;
using EntraInboundProvisioning.Sources;

namespace EntraInboundProvisioning.Mapping
{
    /// <summary>The forms a mapping entry takes (CSV2SCIM AttributeMapping.psd1 semantics).</summary>
    public enum MappingNodeKind
    {
        /// <summary>A string: the name of an input column.</summary>
        Column,
        /// <summary>A literal value that is not a string (for example <c>$true</c> or a number).</summary>
        Constant,
        /// <summary>A scriptblock: computed from the record (<c>$_</c>).</summary>
        Computed,
        /// <summary>A hashtable: a complex attribute, or a schema extension block under a URN key.</summary>
        Complex,
        /// <summary>An array of hashtables: a multi-valued attribute.</summary>
        MultiValued,
    }
}
