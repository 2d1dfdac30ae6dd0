using System;
using System.Collections.Generic;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>
    /// One SCIM BulkRequest document of at most 50 operations, as sent to <c>/bulkUpload</c>.
    /// Produced by ConvertTo-ScimBulkRequest and consumed by Send-ScimBulkRequest.
    /// </summary>
    public sealed class BulkRequest
    {
        private IReadOnlyList<OperationKind>? _kinds;

        /// <summary>The Graph limit on operations in one bulkUpload call.</summary>
        public const int MaxOperations = 50;

        /// <summary>The message schema every BulkRequest declares.</summary>
        public const string MessageSchema = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

        /// <summary>Creates a request from its JSON document and the externalIds of its operations, in order.</summary>
        public BulkRequest(int index, string json, IReadOnlyList<string> externalIds, string? source = null, long firstRecord = 0, long lastRecord = 0)
        {
            if (externalIds.Count > MaxOperations)
            {
                throw new ArgumentException($"A bulk request holds at most {MaxOperations} operations; this one has {externalIds.Count}.", nameof(externalIds));
            }

            Index = index;
            Json = json ?? throw new ArgumentNullException(nameof(json));
            ExternalIds = externalIds;
            Source = source;
            FirstRecord = firstRecord;
            LastRecord = lastRecord;
        }

        /// <summary>1-based position of this request in the run that produced it.</summary>
        public int Index { get; }

        /// <summary>The externalId of each operation, in order.</summary>
        public IReadOnlyList<string> ExternalIds { get; }

        /// <summary>Why each operation is in the run, in order: Record for runs without a state; Joiner, Mover, Leaver, Retry or Refresh with one.</summary>
        public IReadOnlyList<OperationKind> OperationKinds
        {
            get => _kinds ??= new OperationKind[ExternalIds.Count];
            internal set => _kinds = value;
        }

        /// <summary>
        /// The index of an earlier request of the same run that holds the manager of a worker in this one (the latest
        /// such request), or 0. Send-ScimBulkRequest waits for that request's answer before posting this one, so the
        /// service has the manager before the report even when requests go out in parallel.
        /// </summary>
        public int DependsOn { get; internal set; }

        /// <summary>What the conversion knew of each operation, in order; null for a request made or read elsewhere.</summary>
        internal IReadOnlyList<OperationFacts>? Facts { get; set; }

        /// <summary>Number of operations (records) in the request.</summary>
        public int OperationCount => ExternalIds.Count;

        /// <summary>The SCIM BulkRequest JSON document, exactly as it is sent.</summary>
        public string Json { get; }

        /// <summary>Where the records came from: a file path, or null for pipeline input.</summary>
        public string? Source { get; }

        /// <summary>1-based number of the first record (data row) in this request.</summary>
        public long FirstRecord { get; }

        /// <summary>1-based number of the last record (data row) in this request.</summary>
        public long LastRecord { get; }

        /// <inheritdoc />
        public override string ToString() => Json;
    }
}
