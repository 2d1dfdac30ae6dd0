using System;

namespace EntraInboundProvisioning.Sending
{
    /// <summary>The journal shows the whole daily request limit used in the last 24 hours: nothing is sent.</summary>
    public sealed class DailyRequestLimitReachedException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public DailyRequestLimitReachedException()
        {
        }

        /// <summary>Creates the exception.</summary>
        public DailyRequestLimitReachedException(string message)
            : base(message)
        {
        }

        /// <summary>Creates the exception.</summary>
        public DailyRequestLimitReachedException(string message, Exception inner)
            : base(message, inner)
        {
        }
    }
}
