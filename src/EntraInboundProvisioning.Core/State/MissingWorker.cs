using EntraInboundProvisioning.Scim;

namespace EntraInboundProvisioning.State
{
    /// <summary>A worker of the state missing from a run's input who needs a disable.</summary>
    internal readonly struct MissingWorker
    {
        public MissingWorker(WorkerKey key, string externalId, string userName, bool isNew, bool lastCycleFailed, string? lastError, string? source)
        {
            Key = key;
            ExternalId = externalId;
            UserName = userName;
            IsNew = isNew;
            LastCycleFailed = lastCycleFailed;
            LastError = lastError;
            Source = source;
        }

        public WorkerKey Key { get; }

        public string ExternalId { get; }

        /// <summary>The userName of the last accepted record.</summary>
        public string UserName { get; }

        /// <summary>True for a worker whose last accepted record was active: a new leaver, counted against the threshold.</summary>
        public bool IsNew { get; }

        /// <summary>True when the last cycle failed on the worker's record (a disable that did not happen is sent again).</summary>
        public bool LastCycleFailed { get; }

        public string? LastError { get; }

        public string? Source { get; }
    }
}
