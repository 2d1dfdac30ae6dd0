using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace EntraInboundProvisioning.Sending
{
    /// <summary>
    /// Keeps calls to one job under Graph's bulkUpload limit (40 calls in any 5-second window) with a sliding
    /// window, and holds every caller back after the service answered 429 with Retry-After. The service counts a call
    /// when it arrives, so a call that goes out later than it was admitted (a connection to open first) is counted from
    /// when it goes out (<see cref="Sending"/>).
    /// </summary>
    public sealed class PacingGate : IDisposable
    {
        private readonly int _limit;
        private readonly TimeSpan _window;
        private readonly List<PacingSlot> _calls = new List<PacingSlot>();
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
            => (await EnterAsync(cancellationToken).ConfigureAwait(false)).At;

        /// <summary>Waits until a call may go, and counts it from now until <see cref="Sending"/> says it went out later.</summary>
        internal async Task<PacingSlot> EnterAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                TimeSpan wait;
                await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    DateTimeOffset now = _clock();
                    TimeSpan span = _window + SafetyMargin;
                    _calls.RemoveAll(c => now - c.At >= span);
                    if (now >= _heldUntil && _calls.Count < _limit)
                    {
                        var slot = new PacingSlot(now);
                        _calls.Add(slot);
                        return slot;
                    }

                    wait = now < _heldUntil ? _heldUntil - now : Oldest() + span - now;
                }
                finally
                {
                    _lock.Release();
                }

                // A little past the boundary, so the service's window (counted on arrival) has surely moved on too.
                await Task.Delay(wait + SafetyMargin, cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>
        /// Counts an admitted call from now: its body starts to go out (each try of it says so again). A call that had
        /// to open a connection first arrives later than it was admitted, and the window must not slide past it early.
        /// </summary>
        internal void Sending(PacingSlot slot)
        {
            try
            {
                _lock.Wait();
            }
            catch (ObjectDisposedException)
            {
                // The run is over: nothing more is paced.
                return;
            }

            try
            {
                DateTimeOffset now = _clock();
                if (now > slot.At)
                {
                    slot.At = now;
                }
            }
            finally
            {
                _lock.Release();
            }
        }

        private DateTimeOffset Oldest()
        {
            DateTimeOffset oldest = _calls[0].At;
            foreach (PacingSlot call in _calls)
            {
                oldest = call.At < oldest ? call.At : oldest;
            }

            return oldest;
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
