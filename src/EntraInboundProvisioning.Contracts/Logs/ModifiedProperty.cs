using System;
using System.Collections.Generic;

namespace EntraInboundProvisioning.Logs
{
    /// <summary>A property the provisioning service changed (or would change) on the target object.</summary>
    public sealed class ModifiedProperty
    {
        /// <summary>Creates a modified property.</summary>
        public ModifiedProperty(string name, string? oldValue, string? newValue)
        {
            Name = name;
            OldValue = oldValue;
            NewValue = newValue;
        }

        /// <summary>The attribute name.</summary>
        public string Name { get; }

        /// <summary>The value before.</summary>
        public string? OldValue { get; }

        /// <summary>The value after.</summary>
        public string? NewValue { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Name}: '{OldValue}' -> '{NewValue}'";
    }
}
