namespace EntraInboundProvisioning.Scim
{
    /// <summary>
    /// What the conversion knew of one operation when it wrote it: who it is, the hash of the record it carries, and
    /// whether it enables, disables or retires the worker. It travels with the <see cref="BulkRequest"/> to whoever
    /// records its acceptance (the run state), so nobody re-parses the request's JSON to rediscover it; a request read
    /// back from a file gets its facts from that file, by one reader.
    /// </summary>
    internal readonly struct OperationFacts
    {
        public OperationFacts(string externalId, string? userName, bool active, bool left, ulong hash, ulong inputHash, string? source)
        {
            ExternalId = externalId;
            UserName = userName;
            Active = active;
            Left = left;
            Hash = hash;
            InputHash = inputHash;
            Source = source;
        }

        /// <summary>The worker's externalId as sent.</summary>
        public string ExternalId { get; }

        /// <summary>The userName the record carries, or null.</summary>
        public string? UserName { get; }

        /// <summary>True when the record has active true.</summary>
        public bool Active { get; }

        /// <summary>True for a leaver's record (the worker is missing from the input): externalId and active false.</summary>
        public bool Left { get; }

        /// <summary>The hash of the record's data object, as a run state keeps it; 0 when the run had no state to compare with.</summary>
        public ulong Hash { get; }

        /// <summary>The hash of the input record it was converted from; 0 when unknown (a leaver, a request read from a file).</summary>
        public ulong InputHash { get; }

        /// <summary>The source of the run the record came from (ConvertTo-ScimBulkRequest -Source, or the mapping file's name), or null.</summary>
        public string? Source { get; }
    }
}
