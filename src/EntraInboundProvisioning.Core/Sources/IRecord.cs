using System.Collections.Generic;

namespace EntraInboundProvisioning.Sources
{
    /// <summary>
    /// One worker record from any system of record. Field lookup is case-insensitive, as PowerShell property
    /// access is, so a mapping written for Import-Csv rows works unchanged on CSV files, hashtables and DataRows.
    /// </summary>
    public interface IRecord
    {
        /// <summary>1-based number of the record in its source (data row of a CSV file, or position in the pipeline).</summary>
        long Number { get; }

        /// <summary>Where the record came from (a file path), or null for pipeline input.</summary>
        string? Source { get; }

        /// <summary>The names of the record's fields, in source order.</summary>
        IReadOnlyList<string> FieldNames { get; }

        /// <summary>Gets a field's value; false when the record has no such field.</summary>
        bool TryGetValue(string name, out object? value);
    }
}
