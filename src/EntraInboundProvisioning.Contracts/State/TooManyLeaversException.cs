using System;

namespace EntraInboundProvisioning.State
{
    /// <summary>Thrown when a run would infer more leavers than its threshold allows; nothing was converted or sent.</summary>
    public sealed class TooManyLeaversException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public TooManyLeaversException(string message, int leavers, int activeWorkers, int allowed)
            : base(message)
        {
            Leavers = leavers;
            ActiveWorkers = activeWorkers;
            Allowed = allowed;
        }

        /// <summary>Creates the exception.</summary>
        public TooManyLeaversException()
        {
        }

        /// <summary>Creates the exception.</summary>
        public TooManyLeaversException(string message)
            : base(message)
        {
        }

        /// <summary>Creates the exception.</summary>
        public TooManyLeaversException(string message, Exception inner)
            : base(message, inner)
        {
        }

        /// <summary>Workers missing from the input.</summary>
        public int Leavers { get; }

        /// <summary>Active workers in the state.</summary>
        public int ActiveWorkers { get; }

        /// <summary>The most leavers the threshold allows.</summary>
        public int Allowed { get; }
    }
}
