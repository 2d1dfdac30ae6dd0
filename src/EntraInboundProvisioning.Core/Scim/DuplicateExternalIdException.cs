using System;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>Thrown under <see cref="DuplicateExternalIdHandling.Error"/> when workers repeat; each repeat was reported first.</summary>
    public sealed class DuplicateExternalIdException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public DuplicateExternalIdException(int workers, int rows)
            : base($"{workers} externalId(s) appear in more than one row ({rows} rows in all); nothing was converted (-DuplicateExternalId Error). Each repeated externalId is listed in its own error above.")
        {
            Workers = workers;
            Rows = rows;
        }

        /// <summary>Creates the exception.</summary>
        public DuplicateExternalIdException()
        {
        }

        /// <summary>Creates the exception.</summary>
        public DuplicateExternalIdException(string message)
            : base(message)
        {
        }

        /// <summary>Creates the exception.</summary>
        public DuplicateExternalIdException(string message, Exception inner)
            : base(message, inner)
        {
        }

        /// <summary>Workers whose externalId repeats.</summary>
        public int Workers { get; }

        /// <summary>Rows those workers appear in.</summary>
        public int Rows { get; }
    }
}
