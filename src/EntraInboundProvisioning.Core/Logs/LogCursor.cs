using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace EntraInboundProvisioning.Logs
{
    /// <summary>
    /// Reads a query one page at a time: each of its groups (<see cref="ProvisioningLogQuery.Split"/>) from its first page
    /// through its @odata.nextLink pages. The caller decides after each page whether to read on, so what a page taught is
    /// written and learned before the next is asked for, and nothing but the current page is held.
    /// </summary>
    public sealed class LogCursor
    {
        private readonly ProvisioningLogReader _reader;
        private readonly IReadOnlyList<ProvisioningLogQuery> _groups;
        private int _group;
        private string? _next;
        private bool _started;

        internal LogCursor(ProvisioningLogReader reader, IReadOnlyList<ProvisioningLogQuery> groups)
        {
            _reader = reader;
            _groups = groups;
        }

        /// <summary>The groups the query was split into (one, unless it names more records than one URL holds).</summary>
        public int Groups => _groups.Count;

        /// <summary>The group the last page came from (0-based).</summary>
        public int Group { get; private set; }

        /// <summary>
        /// The next page's entries within the query's exact bounds, or null when every group is read. An empty list is a
        /// page with nothing inside the bounds; read on.
        /// </summary>
        public async Task<IReadOnlyList<ProvisioningLogEntry>?> NextPageAsync(CancellationToken cancellationToken)
        {
            while (_group < _groups.Count)
            {
                ProvisioningLogQuery query = _groups[_group];
                string url;
                if (!_started)
                {
                    url = query.ToRelativeUrl();
                    _started = true;
                }
                else if (_next is string next)
                {
                    url = next;
                }
                else
                {
                    EndGroup();
                    continue;
                }

                ProvisioningLogPage page = await _reader.ReadPageAsync(url, cancellationToken).ConfigureAwait(false);
                _next = page.NextLink;
                Group = _group;
                var inside = new List<ProvisioningLogEntry>(page.Entries.Count);
                foreach (ProvisioningLogEntry entry in page.Entries)
                {
                    if (query.Contains(entry))
                    {
                        inside.Add(entry);
                    }
                }

                return inside;
            }

            return null;
        }

        /// <summary>The rest of the group being read is not needed (its cycles are complete): the next page is the next group's.</summary>
        public void EndGroup()
        {
            _group++;
            _next = null;
            _started = false;
        }
    }
}
