using System;
using System.Collections.Generic;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>What to send for an empty or missing value.</summary>
    public enum EmptyValueHandling
    {
        /// <summary>Leave the attribute out, so the target attribute keeps its value (the default).</summary>
        Omit,
        /// <summary>Send an explicit null, which clears the target attribute when the app flows null values.</summary>
        Null,
    }

    /// <summary>Options of a conversion run.</summary>
    public sealed class ConversionOptions
    {
        private int _operationsPerRequest = BulkRequest.MaxOperations;

        /// <summary>Operations per bulk request, 1..50 (Graph's limit is 50).</summary>
        public int OperationsPerRequest
        {
            get => _operationsPerRequest;
            set
            {
                if (value < 1 || value > BulkRequest.MaxOperations)
                {
                    throw new ArgumentOutOfRangeException(nameof(value), value, $"Operations per request must be between 1 and {BulkRequest.MaxOperations}.");
                }

                _operationsPerRequest = value;
            }
        }

        /// <summary>What empty values become.</summary>
        public EmptyValueHandling EmptyValue { get; set; } = EmptyValueHandling.Omit;

        /// <summary>When set, every input column is also sent under this custom extension URN (as CSV2SCIM does).</summary>
        public string? ScimSchemaNamespace { get; set; }

        /// <summary>When set, only records whose externalId is in the set are converted (re-sending failures).</summary>
        public ISet<string>? ExternalIdFilter { get; set; }
    }

    /// <summary>How serious a conversion diagnostic is.</summary>
    public enum DiagnosticSeverity
    {
        /// <summary>Reported; the record was still converted.</summary>
        Warning,
        /// <summary>The record was not converted.</summary>
        Error,
    }

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
