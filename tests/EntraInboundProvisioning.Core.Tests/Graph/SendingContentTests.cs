using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using EntraInboundProvisioning.Graph;
using Xunit;

namespace EntraInboundProvisioning.Tests.Graph
{
    public class SendingContentTests
    {
        [Fact]
        public async Task SaysWhenTheBodyGoesOutEachTimeAndSendsItAsUtf8WithItsLength()
        {
            int told = 0;
            using var content = new SendingContent("{\"displayName\":\"Zoë\"}", () => told++);
            Assert.Equal(0, told);

            // Its length is known before it is written (Content-Length, no chunking), and it has no byte order mark.
            Assert.Equal(Encoding.UTF8.GetByteCount("{\"displayName\":\"Zoë\"}"), content.Headers.ContentLength);
            using var first = new System.IO.MemoryStream();
            await content.CopyToAsync(first);
            Assert.Equal(1, told);
            Assert.Equal("{\"displayName\":\"Zoë\"}", Encoding.UTF8.GetString(first.ToArray()));
            Assert.NotEqual(0xEF, first.ToArray()[0]);

            // A second try of the request writes the body again, and says so again.
            using var second = new System.IO.MemoryStream();
            await content.CopyToAsync(second);
            Assert.Equal(2, told);
            Assert.Equal(first.ToArray(), second.ToArray());
        }
    }
}
