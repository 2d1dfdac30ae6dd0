using System;

namespace EntraInboundProvisioning.State
{
    /// <summary>What a run state holds (Get-ProvisioningState): its job, its workers, and its last run.</summary>
    public sealed class ProvisioningStateInfo
    {
        /// <summary>The state file.</summary>
        public string Path { get; internal set; } = string.Empty;

        /// <summary>The service principal of the job the state belongs to.</summary>
        public string? ServicePrincipalId { get; internal set; }

        /// <summary>The job the state belongs to.</summary>
        public string? JobId { get; internal set; }

        /// <summary>When the state was last saved.</summary>
        public DateTimeOffset? SavedAt { get; internal set; }

        /// <summary>Workers the service accepted at least once.</summary>
        public int Workers { get; internal set; }

        /// <summary>Workers whose last accepted record was active.</summary>
        public int ActiveWorkers { get; internal set; }

        /// <summary>Workers whose last accepted record was inactive (terminated in the export, or leavers).</summary>
        public int InactiveWorkers { get; internal set; }

        /// <summary>Workers sent as leavers (missing from the export).</summary>
        public int Leavers { get; internal set; }

        /// <summary>Workers to be sent again on the next run because their last cycle failed.</summary>
        public int PendingRetries { get; internal set; }

        /// <summary>Leavers whose disable no provisioning cycle has confirmed yet (waiting for their outcome, or failed and sent again).</summary>
        public int DisablesPending { get; internal set; }

        /// <summary>Workers whose last accepted record has no outcome from a provisioning cycle yet.</summary>
        public int AwaitingOutcome { get; internal set; }

        /// <summary>The sources the state's workers came from.</summary>
        public string[] Sources { get; internal set; } = Array.Empty<string>();

        /// <summary>Accepted records of an interrupted run waiting in the journal (saved by the next run).</summary>
        public int UnsavedRecords { get; internal set; }

        /// <summary>The state file's size in bytes.</summary>
        public long FileSize { get; internal set; }

        /// <summary>The last run: its plan and what the service accepted.</summary>
        public RunRecord? LastRun { get; internal set; }

        /// <inheritdoc />
        public override string ToString() => $"{Path}: {Workers} worker(s), {ActiveWorkers} active";
    }

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
