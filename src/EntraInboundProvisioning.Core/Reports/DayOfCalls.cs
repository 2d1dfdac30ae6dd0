using System;

namespace EntraInboundProvisioning.Reports
{
    /// <summary>Calls made to bulkUpload on one UTC day.</summary>
    public readonly struct DayOfCalls
    {
        /// <summary>Creates a day.</summary>
        public DayOfCalls(DateTime day, int calls)
        {
            Day = day;
            Calls = calls;
        }

        /// <summary>The UTC day.</summary>
        public DateTime Day { get; }

        /// <summary>Calls made.</summary>
        public int Calls { get; }
    }
}
