namespace EntraInboundProvisioning.Mapping
{
    /// <summary>One problem found in an attribute mapping.</summary>
    public sealed class MappingFinding
    {
        /// <summary>Creates a finding.</summary>
        public MappingFinding(FindingSeverity severity, string code, string attribute, string message, string? source = null, string? column = null)
        {
            Severity = severity;
            Code = code;
            Attribute = attribute;
            Message = message;
            Source = source;
            Column = column;
        }

        /// <summary>Error or Warning.</summary>
        public FindingSeverity Severity { get; }

        /// <summary>A stable identifier of the kind of problem (for example <c>UnknownAttribute</c>).</summary>
        public string Code { get; }

        /// <summary>The attribute path, for example <c>name.givenName</c> or <c>urn:…:User.manager.value</c>.</summary>
        public string Attribute { get; }

        /// <summary>The input column concerned, if any.</summary>
        public string? Column { get; }

        /// <summary>What is wrong and what to do.</summary>
        public string Message { get; }

        /// <summary>The mapping file, or null for an in-memory mapping.</summary>
        public string? Source { get; }

        /// <inheritdoc />
        public override string ToString() => $"{Severity} {Code} {Attribute}: {Message}";
    }
}
