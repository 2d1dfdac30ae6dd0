using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Graph;
using Xunit;

namespace EntraInboundProvisioning.Tests.Graph
{
    /// <summary>The reports gate: a read keeps its place until a window after its answer, so a slow first read never lets a sixth in early.</summary>
    public class ReportsGateTests
    {
        [Fact]
        public async Task AReadInFlightKeepsItsPlaceUntilAWindowAfterItsAnswer()
        {
            using var gate = new ReportsGate(2, TimeSpan.FromMilliseconds(200));
            IDisposable first = await gate.EnterAsync(CancellationToken.None);
            IDisposable second = await gate.EnterAsync(CancellationToken.None);
            Task<IDisposable> third = gate.EnterAsync(CancellationToken.None);

            // Both places are in flight far longer than the window: the third waits for an answer, not for the clock.
            await Task.Delay(600);
            Assert.False(third.IsCompleted);
            var sinceAnswer = Stopwatch.StartNew();
            first.Dispose();
            (await third).Dispose();
            Assert.True(sinceAnswer.ElapsedMilliseconds >= 200, $"admitted {sinceAnswer.ElapsedMilliseconds} ms after the answer");
            second.Dispose();
            first.Dispose(); // twice is once
        }

        [Fact]
        public async Task AfterRetryAfterEveryReadWaits()
        {
            using var gate = new ReportsGate(5, TimeSpan.FromSeconds(10));
            gate.HoldFor(TimeSpan.FromMilliseconds(400));
            var clock = Stopwatch.StartNew();
            (await gate.EnterAsync(CancellationToken.None)).Dispose();
            Assert.True(clock.ElapsedMilliseconds >= 380, $"admitted after {clock.ElapsedMilliseconds} ms");
        }

        [Fact]
        public async Task TheLimitGoesAtOnce()
        {
            using var gate = new ReportsGate(5, TimeSpan.FromSeconds(10));
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < 5; i++)
            {
                (await gate.EnterAsync(CancellationToken.None)).Dispose();
            }

            Assert.True(clock.ElapsedMilliseconds < 5000, "five reads within the limit do not wait for the window");
            using var cancel = new CancellationTokenSource(300);
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gate.EnterAsync(cancel.Token));
        }
    }
}
