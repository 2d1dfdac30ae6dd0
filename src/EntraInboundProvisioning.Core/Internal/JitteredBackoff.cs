using System;

namespace EntraInboundProvisioning.Internal
{
    /// <summary>
    /// How long to wait before trying a Graph call again: the service's Retry-After when it gave one (plus up to a quarter
    /// second, so workers do not all come back at once), otherwise exponential backoff from a base delay to a ceiling with
    /// jitter over its upper half. One instance serves the threads of a sender or a reader.
    /// </summary>
    internal sealed class JitteredBackoff
    {
        private readonly Random _jitter;
        private readonly object _gate = new object();
        private readonly TimeSpan _baseDelay;
        private readonly TimeSpan _maxDelay;

        public JitteredBackoff(TimeSpan baseDelay, TimeSpan maxDelay, int? seed)
        {
            _baseDelay = baseDelay;
            _maxDelay = maxDelay;
            _jitter = seed is int fixedSeed ? new Random(fixedSeed) : new Random();
        }

        /// <summary>The wait before attempt <paramref name="attempt"/> + 1.</summary>
        public TimeSpan Next(int attempt, TimeSpan? retryAfter)
        {
            double random;
            lock (_gate)
            {
                random = _jitter.NextDouble();
            }

            if (retryAfter is TimeSpan wait && wait > TimeSpan.Zero)
            {
                return wait + TimeSpan.FromMilliseconds(random * 250);
            }

            double ceiling = Math.Min(_maxDelay.TotalMilliseconds, _baseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
            return TimeSpan.FromMilliseconds((ceiling / 2) + (random * ceiling / 2));
        }
    }
}
