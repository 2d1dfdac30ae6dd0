using System;
using System.Globalization;

namespace EntraInboundProvisioning.State
{
    /// <summary>
    /// How many leavers a run may infer before it stops, so a truncated or filtered export cannot disable half the
    /// company: a percentage of the active workers in the state ('5%', the default) or a number of workers (500, as
    /// Entra Connect's delete threshold). In PowerShell: -LeaverThreshold 500 or -LeaverThreshold 10%.
    /// </summary>
    public sealed class LeaverThreshold
    {
        /// <summary>Five percent of the active workers in the state.</summary>
        public static readonly LeaverThreshold Default = new LeaverThreshold(5.0, isPercent: true);

        private LeaverThreshold(double value, bool isPercent)
        {
            if (value < 0 || (isPercent && value > 100) || double.IsNaN(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "A leaver threshold is a number of workers (0 or more) or a percentage from 0% to 100%.");
            }

            Value = value;
            IsPercent = isPercent;
        }

        /// <summary>A number of workers.</summary>
        public LeaverThreshold(int workers)
            : this(workers, isPercent: false)
        {
        }

        /// <summary>'10%' (a percentage of the active workers in the state) or '500' (workers).</summary>
        public LeaverThreshold(string text)
            : this(ParseValue(text, out bool isPercent), isPercent)
        {
        }

        /// <summary>The number, of workers or percent.</summary>
        public double Value { get; }

        /// <summary>True for a percentage of the active workers in the state.</summary>
        public bool IsPercent { get; }

        /// <summary>Parses '10%' or '500'.</summary>
        public static LeaverThreshold Parse(string text) => new LeaverThreshold(text);

        /// <summary>The most leavers allowed when the state holds <paramref name="activeWorkers"/> active workers.</summary>
        public int Allowed(int activeWorkers) => IsPercent ? (int)Math.Floor(activeWorkers * Value / 100.0) : (int)Value;

        /// <inheritdoc />
        public override string ToString() => IsPercent ? Value.ToString("0.##", CultureInfo.InvariantCulture) + "%" : Value.ToString("0", CultureInfo.InvariantCulture);

        private static double ParseValue(string text, out bool isPercent)
        {
            string t = (text ?? throw new ArgumentNullException(nameof(text))).Trim();
            isPercent = t.EndsWith("%", StringComparison.Ordinal);
            string number = isPercent ? t.Substring(0, t.Length - 1).Trim() : t;
            if (isPercent && double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double percent))
            {
                return percent;
            }

            if (!isPercent && int.TryParse(number, NumberStyles.Integer, CultureInfo.InvariantCulture, out int workers))
            {
                return workers;
            }

            throw new FormatException($"'{text}' is not a leaver threshold: give a number of workers (500) or a percentage of the workers in the state (10%).");
        }
    }
}
