using System;
using EntraInboundProvisioning.Internal;
using Xunit;

namespace EntraInboundProvisioning.Tests.Internal
{
    public class JitteredBackoffTests
    {
        [Fact]
        public void RetryAfterIsHonouredAndOtherwiseTheWaitDoublesUpToItsCeilingWithJitter()
        {
            var backoff = new JitteredBackoff(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(30), seed: 7);
            for (int i = 0; i < 200; i++)
            {
                TimeSpan told = backoff.Next(3, TimeSpan.FromSeconds(12));
                Assert.InRange(told.TotalMilliseconds, 12_000, 12_250);
                Assert.InRange(backoff.Next(1, null).TotalMilliseconds, 500, 1_000);
                Assert.InRange(backoff.Next(4, null).TotalMilliseconds, 4_000, 8_000);
                Assert.InRange(backoff.Next(12, null).TotalMilliseconds, 15_000, 30_000);
            }

            // Jitter: two waits of one attempt are not all the same.
            Assert.NotEqual(backoff.Next(2, null), backoff.Next(2, null));
        }
    }
}
