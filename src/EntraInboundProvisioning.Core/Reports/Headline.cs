using System.Globalization;

namespace EntraInboundProvisioning.Reports
{
    /// <summary>One figure of the last run, with the median of the runs before it.</summary>
    public sealed class Headline
    {
        /// <summary>Creates a figure.</summary>
        public Headline(string name, long value, double? median, string? note)
        {
            Name = name;
            Value = value;
            Median = median;
            Note = note;
        }

        /// <summary>What is counted.</summary>
        public string Name { get; }

        /// <summary>The last run's count.</summary>
        public long Value { get; }

        /// <summary>The median over the runs before it (up to <see cref="ProvisioningReport.Baseline"/>), or null without any.</summary>
        public double? Median { get; }

        /// <summary>A few words more (requests accepted, movers from a mapping change).</summary>
        public string? Note { get; }

        /// <summary>
        /// True when the value stands out: at least three times the median and five more, or ten or more against a
        /// median of nothing.
        /// </summary>
        public bool Unusual => Median is double median && (median > 0 ? Value >= 3 * median && Value - median >= 5 : Value >= 10);

        /// <summary>"4.0× the median (3)", or "the median is 0", for an unusual figure; null otherwise.</summary>
        public string? Comparison => !Unusual
            ? null
            : Median > 0
                ? string.Format(CultureInfo.InvariantCulture, "{0:0.0}× the {1}-run median ({2:N0})", Value / Median!.Value, ProvisioningReport.Baseline, Median)
                : string.Format(CultureInfo.InvariantCulture, "the {0}-run median is 0", ProvisioningReport.Baseline);
    }
}
