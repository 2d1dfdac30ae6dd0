using System;

namespace EntraInboundProvisioning.State
{
    /// <summary>
    /// What a conversion decided to send and why: ConvertTo-ScimBulkRequest -WhatIf returns it, a run with
    /// -StatePath reports it, and the state keeps the last one (Get-ProvisioningState).
    /// </summary>
    public sealed class ConversionSummary
    {
        /// <summary>The state file, or null for a run without one.</summary>
        public string? StatePath { get; set; }

        /// <summary>Records read from the input.</summary>
        public long RecordsRead { get; set; }

        /// <summary>Records with errors (not sent).</summary>
        public long RecordsWithErrors { get; set; }

        /// <summary>Rows of repeated workers left out (one row per worker is sent).</summary>
        public long RepeatedRowsLeftOut { get; set; }

        /// <summary>Workers the state knew before this run.</summary>
        public int WorkersInState { get; set; }

        /// <summary>New workers: not in the state.</summary>
        public long Joiners { get; set; }

        /// <summary>Workers whose record changed since it was last accepted.</summary>
        public long Movers { get; set; }

        /// <summary>Active workers of the state missing from the input, sent with active false.</summary>
        public long Leavers { get; set; }

        /// <summary>Unchanged workers sent again because their last provisioning cycle failed.</summary>
        public long Retries { get; set; }

        /// <summary>Unchanged workers sent again because the run was -Full.</summary>
        public long Refreshes { get; set; }

        /// <summary>Unchanged workers: not sent.</summary>
        public long Unchanged { get; set; }

        /// <summary>Records sent by a run without a state (every record).</summary>
        public long Records { get; set; }

        /// <summary>Operations in the requests.</summary>
        public long Operations { get; set; }

        /// <summary>Bulk requests (each one a call to /bulkUpload).</summary>
        public int Requests { get; set; }

        /// <summary>The leaver threshold that applied, such as 5% or 500.</summary>
        public string? LeaverThreshold { get; set; }

        /// <summary>True when leavers were looked for: a state, and input that is the whole population.</summary>
        public bool LeaversInferred { get; set; }

        /// <summary>Why leavers were not looked for, when they were not.</summary>
        public string? LeaversNote { get; set; }

        /// <summary>True for a -Full run.</summary>
        public bool Full { get; set; }

        /// <summary>When the conversion ended.</summary>
        public DateTimeOffset CompletedAt { get; set; }

        /// <inheritdoc />
        public override string ToString()
            => StatePath is null
                ? $"{Operations} record(s) in {Requests} request(s)"
                : $"{Joiners} joiner(s), {Movers} mover(s), {Leavers} leaver(s), {Retries + Refreshes} re-sent, {Unchanged} unchanged: {Requests} request(s)";
    }

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
