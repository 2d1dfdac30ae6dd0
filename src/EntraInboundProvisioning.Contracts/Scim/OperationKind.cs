namespace EntraInboundProvisioning.Scim
{
    /// <summary>Why an operation is in a run.</summary>
    public enum OperationKind
    {
        /// <summary>A record of a run without a state: every record is sent.</summary>
        Record,
        /// <summary>A worker the state does not know yet (a new hire, or a worker who came back).</summary>
        Joiner,
        /// <summary>A worker whose record changed since the service last accepted it.</summary>
        Mover,
        /// <summary>A worker in the state who is missing from this run's input: sent with active false.</summary>
        Leaver,
        /// <summary>An unchanged worker sent again because the provisioning cycle failed on the last record.</summary>
        Retry,
        /// <summary>An unchanged worker sent again because the run asked for everyone (-Full).</summary>
        Refresh,
    }
}
