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
}
