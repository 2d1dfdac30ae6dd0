using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;

namespace EntraInboundProvisioning.Graph
{
    /// <summary>
    /// A UTF-8 request body that says when it starts to go out. HttpClient writes the body once the connection is open
    /// (a TLS handshake can take a while on a busy machine) and the headers are sent; each try of the request tells again.
    /// </summary>
    internal sealed class SendingContent : HttpContent
    {
        private readonly byte[] _bytes;
        private readonly Action _sending;

        public SendingContent(string body, Action sending)
        {
            _bytes = new UTF8Encoding(false).GetBytes(body);
            _sending = sending;
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            _sending();
            return stream.WriteAsync(_bytes, 0, _bytes.Length);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _bytes.Length;
            return true;
        }
    }
}
