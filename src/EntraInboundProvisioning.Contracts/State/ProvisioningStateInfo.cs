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

        /// <summary>The runs on record, oldest first (the last one is <see cref="LastRun"/>).</summary>
        public System.Collections.Generic.IReadOnlyList<RunRecord> History { get; internal set; } = Array.Empty<RunRecord>();

        /// <inheritdoc />
        public override string ToString() => $"{Path}: {Workers} worker(s), {ActiveWorkers} active";
    }
}
