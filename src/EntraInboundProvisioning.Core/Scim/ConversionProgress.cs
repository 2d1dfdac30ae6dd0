namespace EntraInboundProvisioning.Scim
{
    /// <summary>Where a <see cref="ConversionRun"/> is as it reads a file.</summary>
    public readonly struct ConversionProgress
    {
        /// <summary>Creates a progress report.</summary>
        public ConversionProgress(bool indexing, string file, long row, double? fraction)
        {
            Indexing = indexing;
            File = file;
            Row = row;
            Fraction = fraction;
        }

        /// <summary>True in the first pass, which learns each worker's row and manager.</summary>
        public bool Indexing { get; }

        /// <summary>The file being read.</summary>
        public string File { get; }

        /// <summary>The row just read.</summary>
        public long Row { get; }

        /// <summary>How far through the file (0..1), when known.</summary>
        public double? Fraction { get; }
    }
}
