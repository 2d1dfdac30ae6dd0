using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using CsvHelper;
using CsvHelper.Configuration;

namespace EntraInboundProvisioning.Sources
{
    /// <summary>Thrown when a CSV file cannot be read at all (no header, duplicate column names).</summary>
    public sealed class CsvFormatException : Exception
    {
        /// <summary>Creates the exception for a file with nothing in it, not even a header.</summary>
        internal static CsvFormatException Empty(string source) => new CsvFormatException($"'{source}' is empty: a CSV file needs a header row naming its columns.") { IsEmpty = true };

        /// <summary>True when the file has nothing in it, not even a header (an export that wrote nothing).</summary>
        public bool IsEmpty { get; private set; }

        /// <summary>Creates the exception.</summary>
        public CsvFormatException(string message)
            : base(message)
        {
        }

        /// <summary>Creates the exception.</summary>
        public CsvFormatException(string message, Exception inner)
            : base(message, inner)
        {
        }

        /// <summary>Creates the exception.</summary>
        public CsvFormatException()
        {
        }
    }
}
