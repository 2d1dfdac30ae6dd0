using System;

namespace EntraInboundProvisioning.State
{
    /// <summary>What the state remembers of one worker.</summary>
    public sealed class WorkerStateInfo
    {
        /// <summary>The worker's externalId as last sent.</summary>
        public string ExternalId { get; internal set; } = string.Empty;

        /// <summary>The userName of the last accepted record.</summary>
        public string? UserName { get; internal set; }

        /// <summary>True when the last accepted record had active true.</summary>
        public bool Active { get; internal set; }

        /// <summary>True when the worker was sent as a leaver.</summary>
        public bool Left { get; internal set; }

        /// <summary>True when the next run sends the worker again (the last cycle failed).</summary>
        public bool Retry { get; internal set; }

        /// <summary>True for a leaver whose disable no provisioning cycle has confirmed yet.</summary>
        public bool DisablePending { get; internal set; }

        /// <summary>True while no provisioning cycle has said how the last accepted record went.</summary>
        public bool AwaitingOutcome { get; internal set; }

        /// <summary>Why the last provisioning cycle failed on the worker ("code: reason"), or null.</summary>
        public string? LastError { get; internal set; }

        /// <summary>The source the worker came from, or null.</summary>
        public string? Source { get; internal set; }

        /// <summary>When the service last accepted the worker's record.</summary>
        public DateTimeOffset AcceptedAt { get; internal set; }

        /// <summary>The hash of the last accepted record (hexadecimal), to compare runs.</summary>
        public string RecordHash { get; internal set; } = string.Empty;
    }
}
