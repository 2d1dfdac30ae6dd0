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
    /// <summary>Options for reading CSV files.</summary>
    public sealed class CsvReadOptions
    {
        /// <summary>Field delimiter; ',' unless given.</summary>
        public string Delimiter { get; set; } = ",";

        /// <summary>Encoding used when the file has no byte order mark; UTF-8 unless given.</summary>
        public Encoding Encoding { get; set; } = new UTF8Encoding(false);
    }
}
