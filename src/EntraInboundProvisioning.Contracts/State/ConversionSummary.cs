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

        /// <summary>The sources the run read (ConvertTo-ScimBulkRequest -Source, or the mapping file's name).</summary>
        public string[] Sources { get; set; } = Array.Empty<string>();

        /// <summary>True for the plan of a -WhatIf run: nothing was converted, and nothing may be recorded from it.</summary>
        public bool WhatIf { get; set; }

        /// <summary>Records read from the input.</summary>
        public long RecordsRead { get; set; }

        /// <summary>Records with errors (not sent).</summary>
        public long RecordsWithErrors { get; set; }

        /// <summary>Rows of repeated workers left out (one row per worker is sent).</summary>
        public long RepeatedRowsLeftOut { get; set; }

        /// <summary>Records that no source of a run over several sources took (their Where accepted none).</summary>
        public long RecordsInNoSource { get; set; }

        /// <summary>Workers the state knew before this run.</summary>
        public int WorkersInState { get; set; }

        /// <summary>New workers: not in the state.</summary>
        public long Joiners { get; set; }

        /// <summary>Workers whose record changed since it was last accepted.</summary>
        public long Movers { get; set; }

        /// <summary>Movers whose input record is the one last accepted: the record sent changed because the mapping or the options did.</summary>
        public long MoversFromMappingChange { get; set; }

        /// <summary>True when a mapping, or an option that shapes records, differs from the state's last run.</summary>
        public bool MappingChanged { get; set; }

        /// <summary>Active workers of the state missing from the input, sent with active false.</summary>
        public long Leavers { get; set; }

        /// <summary>Unchanged workers sent again because their last provisioning cycle failed.</summary>
        public long Retries { get; set; }

        /// <summary>Of the retries: workers missing from the input whose disable failed in its cycle, sent again.</summary>
        public long LeaverRetries { get; set; }

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

        /// <summary>The daily request limit the plan is measured against (the last send with the state used it), or null.</summary>
        public int? DailyRequestLimit { get; set; }

        /// <summary>Days of the daily request limit the requests need (1 when they fit into one), or null without a limit.</summary>
        public int? DaysNeeded => DailyRequestLimit is int limit && limit > 0 ? Math.Max(1, (Requests + limit - 1) / limit) : null;

        /// <summary>When the conversion ended.</summary>
        public DateTimeOffset CompletedAt { get; set; }

        /// <inheritdoc />
        public override string ToString()
            => StatePath is null
                ? $"{Operations} record(s) in {Requests} request(s)"
                : $"{Joiners} joiner(s), {Movers} mover(s), {Leavers} leaver(s), {Retries + Refreshes} re-sent, {Unchanged} unchanged: {Requests} request(s)";
    }
}
