using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EntraInboundProvisioning.Schema
{
    /// <summary>Thrown when a schema document is not what an API-driven provisioning job has.</summary>
    public sealed class SynchronizationSchemaException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public SynchronizationSchemaException(string message)
            : base(message)
        {
        }

        /// <summary>Creates the exception.</summary>
        public SynchronizationSchemaException()
        {
        }

        /// <summary>Creates the exception.</summary>
        public SynchronizationSchemaException(string message, Exception inner)
            : base(message, inner)
        {
        }
    }
}
