using System;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>An input lacks a column its mapping reads: nothing of it could be converted as meant.</summary>
    public sealed class MappedColumnNotFoundException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public MappedColumnNotFoundException()
        {
        }

        /// <summary>Creates the exception.</summary>
        public MappedColumnNotFoundException(string message)
            : base(message)
        {
        }

        /// <summary>Creates the exception.</summary>
        public MappedColumnNotFoundException(string message, Exception inner)
            : base(message, inner)
        {
        }

        /// <summary>Creates the exception for a column.</summary>
        public MappedColumnNotFoundException(string message, string column)
            : base(message) => Column = column;

        /// <summary>The column the mapping reads.</summary>
        public string? Column { get; }
    }
}
