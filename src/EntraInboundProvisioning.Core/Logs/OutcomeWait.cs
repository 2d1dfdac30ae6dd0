using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace EntraInboundProvisioning.Logs
{
    /// <summary>
    /// Waits for the outcomes an <see cref="OutcomeWatch"/> wants, a page at a time: each read takes only what is new
    /// since the last, and between reads the wait pauses for the poll interval, until every record has its outcome or
    /// the time is up. A caller writes and learns each step before it asks for the next, so memory holds one page.
    /// </summary>
    public sealed class OutcomeWait
    {
        private readonly ProvisioningLogReader _reader;
        private readonly TimeSpan _pollInterval;
        private readonly DateTimeOffset _deadline;
        private LogCursor? _cursor;
        private bool _pauseFirst;
        private bool _finished;

        /// <summary>Starts a wait for what <paramref name="watch"/> wants, reading through <paramref name="reader"/>.</summary>
        public OutcomeWait(ProvisioningLogReader reader, OutcomeWatch watch, TimeSpan pollInterval, TimeSpan timeout)
        {
            _reader = reader;
            Watch = watch;
            _pollInterval = pollInterval;
            _deadline = DateTimeOffset.UtcNow + timeout;
        }

        /// <summary>What the wait wants and has found.</summary>
        public OutcomeWatch Watch { get; }

        /// <summary>How many times the logs were read (each read may be several pages).</summary>
        public int Polls { get; private set; }

        /// <summary>
        /// The next step: the outcomes a page held (none, often), or the end of a read that did not find everything,
        /// with the pause before the next one (taken at the start of the next call). Null once every record has an
        /// outcome, or when the next read would start after the time is up.
        /// </summary>
        public async Task<OutcomeWaitStep?> NextAsync(CancellationToken cancellationToken)
        {
            if (_finished)
            {
                return null;
            }

            if (_pauseFirst)
            {
                _pauseFirst = false;
                await Task.Delay(_pollInterval, cancellationToken).ConfigureAwait(false);
            }

            if (_cursor is null)
            {
                Polls++;
                _cursor = _reader.Open(Watch.NextQuery());
            }

            if (!Watch.IsComplete && DateTimeOffset.UtcNow < _deadline && await _cursor.NextPageAsync(cancellationToken).ConfigureAwait(false) is IReadOnlyList<ProvisioningLogEntry> page)
            {
                return new OutcomeWaitStep(page.Where(Watch.Offer).ToList(), null);
            }

            _cursor = null;
            if (Watch.IsComplete || DateTimeOffset.UtcNow + _pollInterval > _deadline)
            {
                _finished = true;
                return null;
            }

            _pauseFirst = true;
            return new OutcomeWaitStep(Array.Empty<ProvisioningLogEntry>(), _pollInterval);
        }
    }
}
