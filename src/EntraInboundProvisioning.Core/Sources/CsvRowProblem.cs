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
    /// <summary>What went wrong reading a CSV row; the reader skips the row and goes on.</summary>
    public sealed class CsvRowProblem
    {
        internal CsvRowProblem(string source, long row, long line, string message)
        {
            Source = source;
            Row = row;
            Line = line;
            Message = message;
        }

        /// <summary>The file.</summary>
        public string Source { get; }

        /// <summary>1-based data row (the header is not counted).</summary>
        public long Row { get; }

        /// <summary>1-based physical line where the row starts.</summary>
        public long Line { get; }

        /// <summary>What is wrong.</summary>
        public string Message { get; }
    }
}
