using System;
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
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < 5; i++)
            {
                await gate.WaitAsync(CancellationToken.None);
            }

            Assert.True(clock.ElapsedMilliseconds < 400, $"the first five took {clock.ElapsedMilliseconds} ms");
            await gate.WaitAsync(CancellationToken.None);
            Assert.True(clock.ElapsedMilliseconds >= 600, $"the sixth went after {clock.ElapsedMilliseconds} ms");
        }

        [Fact]
        public async Task NoWindowEverHoldsMoreThanTheLimitUnderConcurrentCallers()
        {
            using var gate = new PacingGate(4, TimeSpan.FromMilliseconds(400));
            var clock = Stopwatch.StartNew();
            var admitted = new System.Collections.Concurrent.ConcurrentBag<long>();
            await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(async () =>
            {
                for (int i = 0; i < 2; i++)
                {
                    await gate.WaitAsync(CancellationToken.None);
                    admitted.Add(clock.ElapsedMilliseconds);
                }
            })));

            long[] times = admitted.OrderBy(t => t).ToArray();
            Assert.Equal(12, times.Length);
            for (int i = 4; i < times.Length; i++)
            {
                // Call i and call i-4 must be a full window apart (a little timer slack allowed).
                Assert.True(times[i] - times[i - 4] >= 390, $"calls {i - 4} and {i} were {times[i] - times[i - 4]} ms apart");
            }
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
