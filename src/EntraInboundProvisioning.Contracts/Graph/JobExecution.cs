using System;

namespace EntraInboundProvisioning.Graph
{
    /// <summary>One execution of a job.</summary>
    public sealed class JobExecution
    {
        internal JobExecution(string? state, DateTimeOffset? began, DateTimeOffset? ended, string? error)
        {
            State = state;
            Began = began;
            Ended = ended;
            Error = error;
        }

        /// <summary>Succeeded, Failed, Warning…</summary>
        public string? State { get; }

        /// <summary>Start.</summary>
        public DateTimeOffset? Began { get; }

        /// <summary>End.</summary>
        public DateTimeOffset? Ended { get; }

        /// <summary>The error message, when it failed.</summary>
        public string? Error { get; }

        /// <inheritdoc />
        public override string ToString() => $"{State} {Began:u}";
    }
}
