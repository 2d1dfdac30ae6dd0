using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Logs;

namespace EntraInboundProvisioning.Graph
{
    /// <summary>The job's schema changed between reading and writing it.</summary>
    public sealed class SchemaChangedException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public SchemaChangedException(string message)
            : base(message)
        {
        }

        /// <summary>Creates the exception.</summary>
        public SchemaChangedException()
        {
        }

        /// <summary>Creates the exception.</summary>
        public SchemaChangedException(string message, Exception inner)
            : base(message, inner)
        {
        }
    }
}
