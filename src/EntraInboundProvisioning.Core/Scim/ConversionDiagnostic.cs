using System;
using System.Collections.Generic;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>A problem with one input record, reported as data for the cmdlet to turn into an ErrorRecord.</summary>
    public sealed class ConversionDiagnostic
    {
        /// <summary>Creates a diagnostic.</summary>
        public ConversionDiagnostic(DiagnosticSeverity severity, string errorId, string message, string? source, long recordNumber, string? attribute = null, string? externalId = null, Exception? exception = null)
        {
            Severity = severity;
            ErrorId = errorId;
            Message = message;
            Source = source;
            RecordNumber = recordNumber;
            Attribute = attribute;
            ExternalId = externalId;
            Exception = exception;
        }

        /// <summary>Error (record skipped) or Warning.</summary>
        public DiagnosticSeverity Severity { get; }

        /// <summary>A stable identifier, for example <c>MissingExternalId</c>.</summary>
        public string ErrorId { get; }

        /// <summary>A message naming the file, row and attribute.</summary>
        public string Message { get; }

        /// <summary>The file, or null for pipeline input.</summary>
        public string? Source { get; }

        /// <summary>1-based record number (data row, or pipeline position).</summary>
        public long RecordNumber { get; }

        /// <summary>The SCIM attribute concerned.</summary>
        public string? Attribute { get; }

        /// <summary>The record's externalId, when it has one.</summary>
        public string? ExternalId { get; }

        /// <summary>The underlying exception (for example what a scriptblock threw).</summary>
        public Exception? Exception { get; }

        /// <inheritdoc />
        public override string ToString() => Message;
    }
}
