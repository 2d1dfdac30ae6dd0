using System;
using System.Collections.Generic;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>Options of a conversion run.</summary>
    public sealed class ConversionOptions
    {
        private int _operationsPerRequest = BulkRequest.MaxOperations;

        /// <summary>Operations per bulk request, 1..50 (Graph's limit is 50).</summary>
        public int OperationsPerRequest
        {
            get => _operationsPerRequest;
            set
            {
                if (value < 1 || value > BulkRequest.MaxOperations)
                {
                    throw new ArgumentOutOfRangeException(nameof(value), value, $"Operations per request must be between 1 and {BulkRequest.MaxOperations}.");
                }

                _operationsPerRequest = value;
            }
        }

        /// <summary>What empty values become.</summary>
        public EmptyValueHandling EmptyValue { get; set; } = EmptyValueHandling.Omit;

        /// <summary>When set, every input column is also sent under this custom extension URN (as CSV2SCIM does).</summary>
        public string? ScimSchemaNamespace { get; set; }

        /// <summary>When set, only records whose externalId is in the set are converted (re-sending failures).</summary>
        public ISet<string>? ExternalIdFilter { get; set; }

        /// <summary>Which row of a repeated externalId is sent; the last by default.</summary>
        public DuplicateExternalIdHandling DuplicateExternalId { get; set; } = DuplicateExternalIdHandling.Last;

        /// <summary>
        /// Lets a mapping without <c>active</c>, and records whose <c>active</c> is empty, through. Off by default:
        /// the provisioning service disables the account of a record that omits <c>active</c>.
        /// </summary>
        public bool AllowMissingActive { get; set; }

        /// <summary>Sends every manager in an earlier request than the workers who report to them (default on).</summary>
        public bool OrderManagersFirst { get; set; } = true;

        /// <summary>
        /// Attributes that land on Entra date-time attributes: their values are sent as ISO 8601 in UTC. Names are
        /// attribute paths as the job schema writes them (<c>urn:…:User:HireDate</c>), or a bare attribute name.
        /// </summary>
        public ISet<string>? DateAttributes { get; set; }

        /// <summary>How date attributes are read; unambiguous forms only when not set.</summary>
        public ScimDate? Dates { get; set; }

        /// <summary>With a state: send every record, changed or not (a periodic full run that repairs drift).</summary>
        public bool Full { get; set; }

        /// <summary>With a state: the input is not the whole population, so nobody missing from it is a leaver.</summary>
        public bool PartialInput { get; set; }

        /// <summary>With a state: the most leavers a run may infer before it stops (5% of the active workers by default).</summary>
        public State.LeaverThreshold LeaverThreshold { get; set; } = EntraInboundProvisioning.State.LeaverThreshold.Default;

        /// <summary>With a state: send the leavers even when they exceed the threshold (a real mass departure).</summary>
        public bool AllowManyLeavers { get; set; }

        /// <summary>
        /// Bytes of held operations kept in memory before the rest goes to an encrypted temporary file. 8 MB: a day of
        /// 100,000 changes to a 1,000,000-worker state holds about 36 MB, and an Azure Automation sandbox (400 MB of memory,
        /// 1 GB of disk) has room for the rest on disk, not in memory (tests/Benchmarks/Sandbox).
        /// </summary>
        internal long MemoryBufferBytes { get; set; } = 8L * 1024 * 1024;

        /// <summary>Where the temporary file goes (the system's temp folder when null).</summary>
        internal string? SpillDirectory { get; set; }

        /// <summary>A run with a state decides leavers (so it must see the whole input first) unless its input is partial or filtered.</summary>
        internal bool DecidesLeaversWith(bool state) => state && !PartialInput && ExternalIdFilter is null;
    }
}
