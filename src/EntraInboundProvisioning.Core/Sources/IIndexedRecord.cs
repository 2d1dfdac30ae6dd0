using System.Collections.Generic;

namespace EntraInboundProvisioning.Sources
{
    /// <summary>Records whose fields share one header can resolve a name to an index once per header.</summary>
    public interface IIndexedRecord : IRecord
    {
        /// <summary>The header shared by all records of the same source; compare by reference.</summary>
        RecordHeader Header { get; }

        /// <summary>The value at a header index.</summary>
        object? GetValue(int index);
    }
}
