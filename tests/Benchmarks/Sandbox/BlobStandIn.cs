using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;

namespace EntraInboundProvisioning.Benchmarks.Sandbox
{
    /// <summary>
    /// One Azure Storage blob over plain HTTP on loopback, as far as the runbook uses the Blob REST API: lease (acquire,
    /// release, break), metadata, put (If-None-Match, lease condition), get and head, with the service's status codes.
    /// </summary>
    internal sealed class BlobStandIn : IDisposable
    {
        private readonly HttpListener _listener = new HttpListener();
        private readonly Task _serving;
        private readonly object _gate = new object();
        private string? _lease;
        private Dictionary<string, string> _metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        public BlobStandIn(byte[] content, string token)
        {
            Content = content;
            Token = token;
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            _listener.Start();
            Uri = new Uri($"http://127.0.0.1:{port}/provisioning/hr.state");
            _serving = Task.Run(Serve);
        }

        public Uri Uri { get; }

        public string Token { get; }

        public byte[] Content { get; private set; }

        /// <summary>Other blobs of the container the runbook wrote (its reports), by path.</summary>
        public Dictionary<string, long> Others { get; } = new Dictionary<string, long>(StringComparer.Ordinal);

        public bool Leased
        {
            get
            {
                lock (_gate)
                {
                    return _lease is not null;
                }
            }
        }

        public void Dispose()
        {
            _listener.Close();
            try
            {
                _serving.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
                // Stopped while answering.
            }
        }

        private async Task Serve()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync().ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                HttpListenerRequest request = context.Request;
                HttpListenerResponse response = context.Response;
                byte[]? body = null;
                if (request.HttpMethod == "PUT" && request.Url!.Query.Length == 0)
                {
                    using var memory = new MemoryStream();
                    await request.InputStream.CopyToAsync(memory).ConfigureAwait(false);
                    body = memory.ToArray();
                }

                lock (_gate)
                {
                    response.StatusCode = Answer(request, response, body);
                }

                if (request.HttpMethod == "GET" && response.StatusCode == 200)
                {
                    await response.OutputStream.WriteAsync(Content).ConfigureAwait(false);
                }

                response.Close();
            }
        }

        private int Answer(HttpListenerRequest request, HttpListenerResponse response, byte[]? body)
        {
            string? lease = request.Headers["x-ms-lease-id"];
            string query = request.Url!.Query;
            if (request.Headers["Authorization"] != "Bearer " + Token)
            {
                return 403;
            }

            if (query == "?comp=lease")
            {
                switch (request.Headers["x-ms-lease-action"])
                {
                    case "acquire":
                        if (_lease is not null)
                        {
                            return 409;
                        }

                        _lease = Guid.NewGuid().ToString();
                        response.Headers["x-ms-lease-id"] = _lease;
                        return 201;
                    case "release":
                        if (_lease is null || _lease != lease)
                        {
                            return 409;
                        }

                        _lease = null;
                        return 200;
                    case "break":
                        _lease = null;
                        return 202;
                    default:
                        return 400;
                }
            }

            if (query == "?comp=metadata")
            {
                if (_lease is not null && _lease != lease)
                {
                    return 412;
                }

                _metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (string? key in request.Headers.AllKeys)
                {
                    if (key is not null && key.StartsWith("x-ms-meta-", StringComparison.OrdinalIgnoreCase))
                    {
                        _metadata[key] = request.Headers[key]!;
                    }
                }

                return 200;
            }

            if (request.Url.AbsolutePath != Uri.AbsolutePath)
            {
                // Another blob beside the state (the run's report): kept apart, never in place of the state.
                if (request.HttpMethod != "PUT" || query.Length > 0)
                {
                    return 404;
                }

                Others[request.Url.AbsolutePath] = body?.LongLength ?? 0;
                return 201;
            }

            switch (request.HttpMethod)
            {
                case "PUT":
                    if (request.Headers["If-None-Match"] == "*")
                    {
                        return 409;
                    }

                    if (_lease is not null && _lease != lease)
                    {
                        return 412;
                    }

                    Content = body ?? Array.Empty<byte>();
                    _metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                    return 201;
                case "HEAD":
                    foreach (KeyValuePair<string, string> pair in _metadata)
                    {
                        response.Headers[pair.Key] = pair.Value;
                    }

                    response.Headers["x-ms-lease-state"] = _lease is null ? "available" : "leased";
                    return 200;
                case "GET":
                    response.ContentLength64 = Content.Length;
                    return 200;
                default:
                    return 405;
            }
        }
    }
}
