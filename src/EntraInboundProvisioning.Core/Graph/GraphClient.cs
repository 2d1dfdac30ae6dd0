using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Auth;

namespace EntraInboundProvisioning.Graph
{
    /// <summary>
    /// Authenticated HTTP to Microsoft Graph for one session: adds the bearer token (only for the session's own
    /// Graph host, over HTTPS), a client-request-id per call, renews the token once on 401, and turns Graph error
    /// bodies into <see cref="GraphException"/>s.
    /// </summary>
    public sealed class GraphClient : IDisposable
    {
        private const string ApiVersion = "v1.0";
        private static readonly string UserAgent = "EntraInboundProvisioning/" + typeof(GraphClient).Assembly.GetName().Version;
        private readonly HttpClient _http;
        private readonly AccessTokenProvider _tokens;

        /// <summary>Creates a client; <paramref name="handler"/> comes from <see cref="CreateHandler"/>.</summary>
        public GraphClient(CloudEndpoints endpoints, AccessTokenProvider tokens, HttpMessageHandler handler)
        {
            Endpoints = endpoints;
            _tokens = tokens;
            _http = new HttpClient(handler, disposeHandler: true) { Timeout = TimeSpan.FromSeconds(100) };
        }

        /// <summary>The session's endpoints.</summary>
        public CloudEndpoints Endpoints { get; }

        /// <summary>The token source (for the account name).</summary>
        public AccessTokenProvider Tokens => _tokens;

        /// <summary>
        /// How far the service's clock is ahead of this machine's (negative when behind), from the Date header of the latest
        /// answer; null before any answer has one. The header counts whole seconds, and a server may stamp it from a cache
        /// refreshed each second, so this is up to two seconds short.
        /// Log entries carry the service's time and acceptances this machine's: comparing the two needs it.
        /// </summary>
        public TimeSpan? ServerClockOffset
        {
            get
            {
                long ticks = Interlocked.Read(ref _serverClockOffsetTicks);
                return ticks == long.MinValue ? null : TimeSpan.FromTicks(ticks);
            }
        }

        private long _serverClockOffsetTicks = long.MinValue;

        /// <summary>
        /// An HTTP handler that validates certificates normally, or, for a test endpoint, trusts exactly the given
        /// certificate (the emulator's) and nothing else.
        /// </summary>
        public static HttpMessageHandler CreateHandler(CloudEndpoints endpoints, X509Certificate2? trustedTestCertificate)
        {
            var handler = new HttpClientHandler { AllowAutoRedirect = false };
            if (endpoints.IsTest && trustedTestCertificate is not null)
            {
                string thumbprint = trustedTestCertificate.Thumbprint;
                handler.ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && string.Equals(certificate.Thumbprint, thumbprint, StringComparison.OrdinalIgnoreCase);
            }

            return handler;
        }

        /// <summary>The absolute URL of a Graph path relative to the API version root.</summary>
        public Uri Url(string relative) => new Uri(Endpoints.Graph, ApiVersion + "/" + relative.TrimStart('/'));

        /// <summary>GET a path and return the body, once (no retries: <see cref="PacedReader"/> retries); Graph errors throw.</summary>
        public async Task<JsonDocument> GetJsonAsync(string relativeOrAbsolute, CancellationToken cancellationToken)
            => Parse(await SendAsync(HttpMethod.Get, relativeOrAbsolute, null, null, cancellationToken).ConfigureAwait(false), relativeOrAbsolute);

        /// <summary>
        /// A 2xx body as JSON. A body that is not JSON is what a connection cut half-way through an answer leaves: a
        /// failure without a status, which is safe to retry like a dropped connection.
        /// </summary>
        internal static JsonDocument Parse(GraphResponse response, string url)
        {
            if (response.Utf8Body.Length == 0)
            {
                return JsonDocument.Parse("{}");
            }

            try
            {
                return JsonDocument.Parse(response.Utf8Body);
            }
            catch (JsonException ex)
            {
                string path = url.Split('?')[0];
                throw new GraphException($"GET {path}: the answer was not complete JSON ({ex.Message}); the connection may have dropped while it was sent.", null, null, response.RequestId, response.ClientRequestId, null, ex);
            }
        }

        /// <summary>
        /// Sends a request. <paramref name="relativeOrAbsolute"/> is a path under the API version root or an absolute
        /// URL (an @odata.nextLink), which must be on the session's Graph host. Non-success statuses throw.
        /// </summary>
        public Task<GraphResponse> SendAsync(HttpMethod method, string relativeOrAbsolute, string? body, string? contentType, CancellationToken cancellationToken, string? clientRequestId = null)
            => SendAsync(method, relativeOrAbsolute, body, contentType, clientRequestId, null, cancellationToken);

        /// <summary>
        /// Sends a request, telling <paramref name="sending"/> when its body starts to go out: after the connection is
        /// open and the headers are written, the moment closest to the one the service counts the call at.
        /// </summary>
        internal Task<GraphResponse> SendAsync(HttpMethod method, string relativeOrAbsolute, string? body, string? contentType, string? clientRequestId, Action? sending, CancellationToken cancellationToken)
            => SendAsync(method, relativeOrAbsolute, body, contentType, HttpCompletionOption.ResponseContentRead, clientRequestId, async (response, requestId, retryAfter, url, sentId) =>
            {
                byte[] bytes = await ReadBody(response, method, url, sentId).ConfigureAwait(false);
                return new GraphResponse(response.StatusCode, bytes, requestId, sentId, response.Headers.Location, retryAfter);
            }, cancellationToken, sending);

        /// <summary>
        /// GET a path and parse the answer as it arrives: a page of a thousand log entries goes from the connection into
        /// the parser's pooled buffers, never into a byte array and a string of its own (megabytes each, per page, on the
        /// large-object heap). An answer cut short is a failure without a status, which is safe to retry.
        /// </summary>
        internal Task<JsonDocument> GetJsonStreamedAsync(string relativeOrAbsolute, CancellationToken cancellationToken)
            => SendAsync(HttpMethod.Get, relativeOrAbsolute, null, null, HttpCompletionOption.ResponseHeadersRead, null, async (response, requestId, _, url, sentId) =>
            {
                // The client's timeout ends with the headers here; the body gets the same time of its own.
                using var body = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                body.CancelAfter(_http.Timeout);
                try
                {
                    using System.IO.Stream stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
                    return await JsonDocument.ParseAsync(stream, default, body.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is JsonException or HttpRequestException or System.IO.IOException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
                {
                    throw new GraphException($"GET {url.AbsolutePath}: the answer was cut short ({ex.Message}); the connection may have dropped while it was sent.", null, null, requestId, sentId, null, ex);
                }
            }, cancellationToken);

        private async Task<T> SendAsync<T>(HttpMethod method, string relativeOrAbsolute, string? body, string? contentType, HttpCompletionOption completion, string? clientRequestId, Func<HttpResponseMessage, string?, TimeSpan?, Uri, string, Task<T>> success, CancellationToken cancellationToken, Action? sending = null)
        {
            Uri url = relativeOrAbsolute.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || relativeOrAbsolute.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
                ? new Uri(relativeOrAbsolute)
                : Url(relativeOrAbsolute);
            if (!Endpoints.MayReceiveToken(url))
            {
                // Tokens go only to the session's Graph host over HTTPS.
                throw new GraphException($"Refusing to send the session's token to '{url.GetLeftPart(UriPartial.Authority)}': only {Endpoints.Graph.GetLeftPart(UriPartial.Authority)} over HTTPS receives it.");
            }

            clientRequestId ??= Guid.NewGuid().ToString();
            bool renewed = false;
            while (true)
            {
                BearerToken token = await _tokens.GetTokenAsync(renewed, cancellationToken).ConfigureAwait(false);
                using var request = new HttpRequestMessage(method, url);
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
                request.Headers.TryAddWithoutValidation("client-request-id", clientRequestId);
                request.Headers.TryAddWithoutValidation("User-Agent", UserAgent);
                if (body is not null)
                {
                    request.Content = sending is null ? new StringContent(body, Encoding.UTF8) : new SendingContent(body, sending);
                    // bulkUpload requires exactly application/scim+json; anything else is a 400.
                    request.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType ?? "application/json");
                }

                HttpResponseMessage response;
                try
                {
                    response = await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
                }
                catch (HttpRequestException ex)
                {
                    throw new GraphException($"{method} {url.AbsolutePath}: the connection failed before a response arrived ({ex.Message}).", null, null, null, clientRequestId, null, ex);
                }
                catch (TaskCanceledException ex) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new GraphException($"{method} {url.AbsolutePath}: no response within {_http.Timeout.TotalSeconds:0} s.", null, null, null, clientRequestId, null, ex);
                }

                using (response)
                {
                    if (response.Headers.Date is DateTimeOffset serverNow)
                    {
                        Interlocked.Exchange(ref _serverClockOffsetTicks, (serverNow - DateTimeOffset.UtcNow).Ticks);
                    }

                    string? requestId = Header(response, "request-id");
                    TimeSpan? retryAfter = response.Headers.RetryAfter?.Delta
                        ?? (response.Headers.RetryAfter?.Date is DateTimeOffset date ? date - DateTimeOffset.UtcNow : null);
                    if (response.StatusCode == HttpStatusCode.Unauthorized && !renewed)
                    {
                        // A token revoked or expired in flight: renew once, then give up.
                        renewed = true;
                        continue;
                    }

                    if ((int)response.StatusCode >= 400)
                    {
                        byte[] error = await ReadBody(response, method, url, clientRequestId).ConfigureAwait(false);
                        (string? code, string message) = ParseError(Encoding.UTF8.GetString(error));
                        throw new GraphException(
                            $"{method} {url.AbsolutePath} failed with {(int)response.StatusCode} {response.StatusCode}{(code is null ? string.Empty : $" ({code})")}: {message}{(requestId is null ? string.Empty : $" [request-id {requestId}]")}",
                            response.StatusCode,
                            code,
                            requestId,
                            clientRequestId,
                            retryAfter);
                    }

                    return await success(response, requestId, retryAfter, url, clientRequestId).ConfigureAwait(false);
                }
            }
        }

        /// <summary>The whole body; a connection that drops while it arrives is a failure without a status (safe to retry for a read).</summary>
        private static async Task<byte[]> ReadBody(HttpResponseMessage response, HttpMethod method, Uri url, string clientRequestId)
        {
            try
            {
                return response.Content is null ? Array.Empty<byte>() : await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is HttpRequestException or System.IO.IOException)
            {
                throw new GraphException($"{method} {url.AbsolutePath}: the connection dropped while the answer arrived ({ex.Message}).", null, null, Header(response, "request-id"), clientRequestId, null, ex);
            }
        }

        /// <inheritdoc />
        public void Dispose()
        {
            _http.Dispose();
            _tokens.Dispose();
        }

        private static string? Header(HttpResponseMessage response, string name)
            => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

        private static (string? Code, string Message) ParseError(string body)
        {
            if (body.Length == 0)
            {
                return (null, "no details");
            }

            try
            {
                using JsonDocument document = JsonDocument.Parse(body);
                if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("error", out JsonElement error))
                {
                    if (error.ValueKind == JsonValueKind.Object)
                    {
                        string? code = error.TryGetProperty("code", out JsonElement c) ? c.GetString() : null;
                        string message = error.TryGetProperty("message", out JsonElement m) ? m.GetString() ?? string.Empty : string.Empty;
                        return (code, message);
                    }

                    if (error.ValueKind == JsonValueKind.String)
                    {
                        return (error.GetString(), document.RootElement.TryGetProperty("error_description", out JsonElement d) ? d.GetString() ?? string.Empty : string.Empty);
                    }
                }
            }
            catch (JsonException)
            {
                // Not JSON: report the text itself.
            }

            return (null, body.Length > 500 ? body.Substring(0, 500) : body);
        }
    }
}
