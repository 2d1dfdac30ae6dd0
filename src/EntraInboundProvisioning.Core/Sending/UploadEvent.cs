namespace EntraInboundProvisioning.Sending
{
    /// <summary>What a <see cref="BulkUploadRun"/> tells its caller.</summary>
    public enum UploadEventKind
    {
        /// <summary>A request's result (<see cref="UploadEvent.Result"/>).</summary>
        Result,
        /// <summary>The daily request limit ran out: the rest are not sent (a warning, once).</summary>
        BudgetReached,
        /// <summary>A job paused for the upload could not be started again (a warning).</summary>
        JobNotStartedAgain,
        /// <summary>The state was saved with the run's record (verbose).</summary>
        StateSaved,
        /// <summary>The run waits before trying again: throttled, or a transient failure (verbose).</summary>
        Waiting,
    }

    /// <summary>Something a send run tells: a result, or a message of a kind.</summary>
    public sealed class UploadEvent
    {
        internal UploadEvent(UploadEventKind kind, BulkUploadResult? result, string? message)
        {
            Kind = kind;
            Result = result;
            Message = message;
        }

        /// <summary>What happened.</summary>
        public UploadEventKind Kind { get; }

        /// <summary>The result, for <see cref="UploadEventKind.Result"/>.</summary>
        public BulkUploadResult? Result { get; }

        /// <summary>The message, for the other kinds.</summary>
        public string? Message { get; }
    }
}
