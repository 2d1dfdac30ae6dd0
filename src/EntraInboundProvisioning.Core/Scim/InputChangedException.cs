using System;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>An input read twice (a file: once to index, once to convert) changed in between: nothing more is converted.</summary>
    public sealed class InputChangedException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public InputChangedException()
        {
        }

        /// <summary>Creates the exception.</summary>
        public InputChangedException(string message)
            : base(message)
        {
        }

        /// <summary>Creates the exception.</summary>
        public InputChangedException(string message, Exception inner)
            : base(message, inner)
        {
        }

        /// <summary>Creates the exception for a file that changed.</summary>
        public InputChangedException(string message, string path)
            : base(message) => Path = path;

        /// <summary>The file that changed, when it is known.</summary>
        public string? Path { get; }
    }
}
