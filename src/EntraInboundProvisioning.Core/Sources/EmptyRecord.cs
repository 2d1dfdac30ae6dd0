using System;
using System.Collections.Generic;

namespace EntraInboundProvisioning.Sources
{
    /// <summary>A record with no fields, for evaluating expressions that read none.</summary>
    public sealed class EmptyRecord : IRecord
    {
        /// <summary>The one instance.</summary>
        public static EmptyRecord Instance { get; } = new EmptyRecord();

        private EmptyRecord()
        {
        }

        /// <inheritdoc />
        public long Number => 0;

        /// <inheritdoc />
        public string? Source => null;

        /// <inheritdoc />
        public IReadOnlyList<string> FieldNames => Array.Empty<string>();

        /// <inheritdoc />
        public bool TryGetValue(string name, out object? value)
        {
            value = null;
            return false;
        }
    }
}
