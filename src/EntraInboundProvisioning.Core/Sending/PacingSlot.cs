using System;

namespace EntraInboundProvisioning.Sending
{
    /// <summary>A call counted by a <see cref="PacingGate"/>, and the time the window counts it from.</summary>
    internal sealed class PacingSlot
    {
        public PacingSlot(DateTimeOffset at) => At = at;

        /// <summary>When the call was admitted, or later, when it went out.</summary>
        public DateTimeOffset At { get; set; }
    }
}
