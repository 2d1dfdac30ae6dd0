namespace EntraInboundProvisioning.Sending
{
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
