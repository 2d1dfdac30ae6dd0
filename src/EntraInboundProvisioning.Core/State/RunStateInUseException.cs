using System;
using System.Collections.Generic;
using System.IO;
using EntraInboundProvisioning.Scim;

namespace EntraInboundProvisioning.State
{
    /// <summary>Another run holds the state.</summary>
    public sealed class RunStateInUseException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public RunStateInUseException()
        {
        }

        /// <summary>Creates the exception.</summary>
        public RunStateInUseException(string message)
            : base(message)
        {
        }

        /// <summary>Creates the exception.</summary>
        public RunStateInUseException(string message, Exception inner)
            : base(message, inner)
        {
        }
    }
}
