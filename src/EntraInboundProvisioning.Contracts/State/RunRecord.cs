using System;

namespace EntraInboundProvisioning.State
{
    /// <summary>A run as the state remembers it: what the conversion planned and what the service accepted.</summary>
    public sealed class RunRecord
    {
        /// <summary>When sending started.</summary>
        public DateTimeOffset StartedAt { get; set; }

        /// <summary>When the state was written.</summary>
        public DateTimeOffset CompletedAt { get; set; }

        /// <summary>The job the requests went to.</summary>
        public string? JobId { get; set; }

        /// <summary>The conversion's plan, when it ran in the same pipeline.</summary>
        public ConversionSummary? Plan { get; set; }

        /// <summary>Requests posted.</summary>
        public int Requests { get; set; }

        /// <summary>Requests the service accepted (202), in this run or an earlier one (-Resume).</summary>
        public int Accepted { get; set; }

        /// <summary>Records in the accepted requests.</summary>
        public long AcceptedRecords { get; set; }

        /// <summary>Requests refused, or not sent (daily limit, stopped).</summary>
        public int NotAccepted { get; set; }

        /// <summary>True when the run was stopped (Ctrl+C, an error under ErrorAction Stop, the daily limit) before it finished.</summary>
        public bool Stopped { get; set; }

        /// <summary>True when the run ended before it could save the state (killed): this record was rebuilt from the state's journal.</summary>
        public bool Recovered { get; set; }

        /// <summary>
        /// Why the run was refused before it sent anything (the error id and its message, e.g. TooManyLeavers), or null
        /// for a run that sent. A refused run is on record so that a report of that day says so, instead of showing the
        /// previous run as the last one.
        /// </summary>
        public string? Refused { get; set; }

        /// <summary>Calls made to bulkUpload, retries included: what the run took from the tenant's daily request quota.</summary>
        public int Calls { get; set; }

        /// <summary>Records of this run whose provisioning cycle failed, as learned since (Get-ProvisioningCycleLog -StatePath).</summary>
        public long CycleFailures { get; set; }

        /// <summary>Records of this run whose provisioning cycle succeeded, as learned since.</summary>
        public long CycleSuccesses { get; set; }

        /// <summary>The run's joiners (from its plan; 0 without one).</summary>
        public long Joiners => Plan?.Joiners ?? 0;

        /// <summary>The run's movers (from its plan).</summary>
        public long Movers => Plan?.Movers ?? 0;

        /// <summary>The run's leavers (from its plan).</summary>
        public long Leavers => Plan?.Leavers ?? 0;

        /// <summary>The run's retries (from its plan).</summary>
        public long Retries => Plan?.Retries ?? 0;

        /// <inheritdoc />
        public override string ToString()
            => Refused is not null
                ? $"Refused before sending: {Refused}"
                : Recovered
                ? $"{Accepted} request(s) accepted ({AcceptedRecords} record(s)) by a run that ended before it could save; recovered from the journal"
                : $"{Accepted} of {Requests} request(s) accepted ({AcceptedRecords} record(s)){(Stopped ? ", stopped" : string.Empty)}";
    }
}
