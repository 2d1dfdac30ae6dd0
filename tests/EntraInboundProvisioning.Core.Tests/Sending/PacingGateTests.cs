using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Sending;
using Xunit;

namespace EntraInboundProvisioning.Tests.Sending
{
    public class PacingGateTests
    {
        [Fact]
        public async Task AdmitsTheLimitAtOnceAndHoldsTheNextCallForTheWindow()
        {
            using var gate = new PacingGate(5, TimeSpan.FromMilliseconds(600));
            var admitted = new List<DateTimeOffset>();
            for (int i = 0; i < 6; i++)
            {
                admitted.Add(await gate.WaitAsync(CancellationToken.None));
            }

            // The first five go without waiting (a held call would wait the whole window), the sixth a window later.
            double five = (admitted[4] - admitted[0]).TotalMilliseconds;
            double sixth = (admitted[5] - admitted[0]).TotalMilliseconds;
            Assert.True(five < 600, $"the first five took {five} ms");
            Assert.True(sixth >= 600, $"the sixth went after {sixth} ms");
        }

        [Fact]
        public async Task NoWindowEverHoldsMoreThanTheLimitUnderConcurrentCallers()
        {
            using var gate = new PacingGate(4, TimeSpan.FromMilliseconds(400));
            var admitted = new System.Collections.Concurrent.ConcurrentBag<DateTimeOffset>();
            await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
            {
                for (int i = 0; i < 2; i++)
                {
                    // The gate's own admission time: a caller's thread may run late after admission on a busy machine.
                    admitted.Add(await gate.WaitAsync(CancellationToken.None));
                }
            })));

            DateTimeOffset[] times = admitted.OrderBy(t => t).ToArray();
            Assert.Equal(12, times.Length);
            for (int i = 4; i < times.Length; i++)
            {
                // Call i and call i-4 must be a full window apart.
                double apart = (times[i] - times[i - 4]).TotalMilliseconds;
                Assert.True(apart >= 400, $"calls {i - 4} and {i} were admitted {apart} ms apart");
            }
        }

        [Fact]
        public async Task ACallThatWentOutLateIsCountedFromWhenItWentOut()
        {
            // One call per 300 ms; the first is admitted, then opens its connection for 400 ms before its body goes out.
            using var gate = new PacingGate(1, TimeSpan.FromMilliseconds(300));
            PacingSlot first = await gate.EnterAsync(CancellationToken.None);
            DateTimeOffset admitted = first.At;
            await Task.Delay(400);
            gate.Sending(first);
            Assert.True(first.At - admitted >= TimeSpan.FromMilliseconds(390), $"counted from {(first.At - admitted).TotalMilliseconds} ms after admission");

            // The next waits a window after the first went out, not after it was admitted (when it could have gone at once).
            DateTimeOffset second = await gate.WaitAsync(CancellationToken.None);
            Assert.True(second - first.At >= TimeSpan.FromMilliseconds(300), $"the next went {(second - first.At).TotalMilliseconds} ms after the first went out");

            // Telling again never moves a call earlier.
            DateTimeOffset went = first.At;
            gate.Sending(first);
            Assert.True(first.At >= went);
        }

        [Fact]
        public async Task RetryAfterHoldsEveryCaller()
        {
            using var gate = new PacingGate(40, TimeSpan.FromSeconds(5));
            gate.HoldFor(TimeSpan.FromMilliseconds(500));
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(gate.WaitAsync(CancellationToken.None), gate.WaitAsync(CancellationToken.None));
            Assert.True(clock.ElapsedMilliseconds >= 480, $"callers went after {clock.ElapsedMilliseconds} ms");
        }

        [Fact]
        public async Task AWaitingCallerStopsWhenCancelled()
        {
            using var gate = new PacingGate(1, TimeSpan.FromSeconds(30));
            await gate.WaitAsync(CancellationToken.None);
            using var stop = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            var clock = Stopwatch.StartNew();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gate.WaitAsync(stop.Token));
            Assert.True(clock.ElapsedMilliseconds < 5000);
        }

        [Fact]
        public void ALimitBelowOneIsRefused()
            => Assert.Throws<ArgumentOutOfRangeException>(() => new PacingGate(0, TimeSpan.FromSeconds(5)));
    }
}
