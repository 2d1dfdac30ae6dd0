using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace EntraInboundProvisioning.Sending
{
    /// <summary>
    /// Keeps calls to one job under Graph's bulkUpload limit (40 calls in any 5-second window) with a sliding
    /// window, and holds every caller back after the service answered 429 with Retry-After.
    /// </summary>
    public sealed class PacingGate : IDisposable
    {
        private readonly int _limit;
        private readonly TimeSpan _window;
        private readonly Queue<DateTimeOffset> _calls = new Queue<DateTimeOffset>();
        private readonly SemaphoreSlim _lock = new SemaphoreSlim(1, 1);
        private readonly Func<DateTimeOffset> _clock;
        private DateTimeOffset _heldUntil = DateTimeOffset.MinValue;

        /// <summary>Calls leave the window this much later than strictly needed: the service counts arrivals, and a call may leave late.</summary>
        private static readonly TimeSpan SafetyMargin = TimeSpan.FromMilliseconds(100);

        /// <summary>Creates a gate admitting <paramref name="limit"/> calls per <paramref name="window"/>.</summary>
        public PacingGate(int limit, TimeSpan window, Func<DateTimeOffset>? clock = null)
        {
            if (limit < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(limit));
            }

            _limit = limit;
            _window = window;
            _clock = clock ?? (() => DateTimeOffset.UtcNow);
        }

        /// <summary>Waits until a call may go, and counts it.</summary>
        /// <returns>The time the call was admitted (the time the window counts it at).</returns>
        public async Task<DateTimeOffset> WaitAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                TimeSpan wait;
                await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    DateTimeOffset now = _clock();
                    while (_calls.Count > 0 && now - _calls.Peek() >= _window + SafetyMargin)
                    {
                        _calls.Dequeue();
                    }

                    if (now >= _heldUntil && _calls.Count < _limit)
                    {
                        _calls.Enqueue(now);
                        return now;
                    }

                    wait = now < _heldUntil ? _heldUntil - now : _calls.Peek() + _window + SafetyMargin - now;
                }
                finally
                {
                    _lock.Release();
                }

                // A little past the boundary, so the service's window (counted on arrival) has surely moved on too.
                await Task.Delay(wait + SafetyMargin, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>Holds every caller until <paramref name="delay"/> from now (after a 429 with Retry-After).</summary>
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
    }
}
