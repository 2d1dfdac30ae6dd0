using System;
using EntraInboundProvisioning.Sending;
using Xunit;

namespace EntraInboundProvisioning.Tests.Sending
{
    /// <summary>What the sender says of the waits it makes or refuses.</summary>
    public sealed class BulkUploadSenderTests
    {
        [Theory]
        [InlineData(500, "0.5 seconds")]
        [InlineData(250, "0.25 seconds")]
        [InlineData(1, "0.001 seconds")]
        [InlineData(0, "0 seconds")]
        [InlineData(1000, "1 second")]
        [InlineData(1500, "1.5 seconds")]
        [InlineData(90_000, "90 seconds")]
        [InlineData(300_000, "5 minutes")]
        [InlineData(3_600_000, "60 minutes")]
        public void AWaitIsDescribedInWordsAndASubSecondOneIsNotZero(int milliseconds, string words)
            => Assert.Equal(words, BulkUploadSender.Describe(TimeSpan.FromMilliseconds(milliseconds)));
    }
}
