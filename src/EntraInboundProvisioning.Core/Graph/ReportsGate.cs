using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace EntraInboundProvisioning.Graph
{
    /// <summary>
    /// Keeps a session's reads of the reports under Graph's limit (5 requests in any 10 seconds per app per tenant). A read
    /// holds its place from the moment it is admitted until a window after its answer arrived: the service counts a
    /// request when it arrives, which is somewhere between the two, and a first read that also opens the connection
    /// arrives late. Counting from the answer never lets a sixth read land inside the service's window. After a 429 with
    /// Retry-After every read waits.
    /// </summary>
    public sealed class ReportsGate : IDisposable
    {
        private static readonly TimeSpan SafetyMargin = TimeSpan.FromMilliseconds(100);
        private readonly int _limit;
        private readonly TimeSpan _window;
        private readonly Func<DateTimeOffset> _clock;
        private readonly List<DateTimeOffset> _places = new List<DateTimeOffset>();
        private readonly SemaphoreSlim _lock = new SemaphoreSlim(1, 1);
        private DateTimeOffset _heldUntil = DateTimeOffset.MinValue;

        /// <summary>Creates a gate admitting <paramref name="limit"/> reads per <paramref name="window"/>.</summary>
        public ReportsGate(int limit, TimeSpan window, Func<DateTimeOffset>? clock = null)
        {
            if (limit < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(limit));
            }

            _limit = limit;
            _window = window;
            _clock = clock ?? (() => DateTimeOffset.UtcNow);
        }

        /// <summary>Waits for a place; dispose the returned place when the answer arrived (or the read failed).</summary>
        public async Task<IDisposable> EnterAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                TimeSpan wait;
                await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    DateTimeOffset now = _clock();
                    _places.RemoveAll(done => now - done >= _window + SafetyMargin);
                    if (now >= _heldUntil && _places.Count < _limit)
                    {
                        // In flight: the place is free only a window after the answer.
                        _places.Add(DateTimeOffset.MaxValue);
                        return new Place(this);
                    }

                    DateTimeOffset free = now < _heldUntil ? _heldUntil : Earliest() + _window + SafetyMargin;
                    wait = free > now ? free - now : TimeSpan.FromMilliseconds(20);
                }
                finally
                {
                    _lock.Release();
                }

                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>Holds every read until <paramref name="delay"/> from now (after a 429 with Retry-After).</summary>
        public void HoldFor(TimeSpan delay)
        {
            _lock.Wait();
            try
            {
                DateTimeOffset until = _clock() + delay;
                if (until > _heldUntil)
                {
                    _heldUntil = until;
                }
            }
            finally
            {
                _lock.Release();
            }
        }

        /// <inheritdoc />
        public void Dispose() => _lock.Dispose();

        /// <summary>The earliest answered place (a read in flight frees nothing until it is answered).</summary>
        private DateTimeOffset Earliest()
        {
            DateTimeOffset earliest = DateTimeOffset.MaxValue - _window - SafetyMargin - TimeSpan.FromDays(1);
            bool any = false;
            foreach (DateTimeOffset place in _places)
            {
                if (place != DateTimeOffset.MaxValue && (!any || place < earliest))
                {
                    earliest = place;
                    any = true;
                }
            }

            // Every place in flight: look again shortly.
            return any ? earliest : _clock() - _window - SafetyMargin + TimeSpan.FromMilliseconds(50);
        }

        private void Answered()
        {
            _lock.Wait();
            try
            {
                int index = _places.IndexOf(DateTimeOffset.MaxValue);
                if (index >= 0)
                {
                    _places[index] = _clock();
                }
            }
            finally
            {
                _lock.Release();
            }
        }

        private sealed class Place(ReportsGate gate) : IDisposable
        {
            private int _done;

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _done, 1) == 0)
                {
                    gate.Answered();
                }
            }
        }
    }
}
