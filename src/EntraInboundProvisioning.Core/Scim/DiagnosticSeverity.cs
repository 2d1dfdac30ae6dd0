using System;
using System.Collections.Generic;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>How serious a conversion diagnostic is.</summary>
    public enum DiagnosticSeverity
    {
        /// <summary>Reported; the record was still converted.</summary>
        Warning,
        /// <summary>The record was not converted.</summary>
        Error,
    }
}
