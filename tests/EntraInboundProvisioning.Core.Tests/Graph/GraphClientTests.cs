using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Auth;
using EntraInboundProvisioning.Graph;
using Xunit;

namespace EntraInboundProvisioning.Tests.Graph
{
    /// <summary>
    /// What the client puts on the wire and how it reads Graph's answers. The wire here is a scripted handler;
    /// the same behaviour against the emulator is in the integration tests.
    /// </summary>
    public class GraphClientTests
    {
        private sealed class ScriptedWire : HttpMessageHandler
        {
            private readonly Queue<Func<HttpResponseMessage>> _answers;

            public ScriptedWire(params Func<HttpResponseMessage>[] answers) => _answers = new Queue<Func<HttpResponseMessage>>(answers);

            public List<(HttpMethod Method, Uri Url, string? Authorization, string? ContentType, string? ClientRequestId)> Seen { get; } = new();

            protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
            {
                Seen.Add((
                    request.Method,
                    request.RequestUri!,
                    request.Headers.Authorization?.ToString(),
                    request.Content?.Headers.ContentType?.MediaType,
                    request.Headers.TryGetValues("client-request-id", out IEnumerable<string>? ids) ? ids.Single() : null));
                return Task.FromResult(_answers.Dequeue()());
            }
        }

        private sealed class NumberedTokens : AccessTokenProvider
        {
            public int Issued { get; private set; }

            protected override Task<BearerToken> AcquireAsync(bool forceRefresh, CancellationToken cancellationToken)
                => Task.FromResult(new BearerToken("token-" + ++Issued, DateTimeOffset.UtcNow.AddHours(1)));
        }

        private static HttpResponseMessage Answer(HttpStatusCode status, string body = "", Action<HttpResponseMessage>? headers = null)
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent(body) };
            headers?.Invoke(response);
            return response;
        }

        private static (GraphClient Client, ScriptedWire Wire, NumberedTokens Tokens) Client(params Func<HttpResponseMessage>[] answers)
        {
            var wire = new ScriptedWire(answers);
            var tokens = new NumberedTokens();
            return (new GraphClient(CloudEndpoints.For(CloudEnvironment.Global), tokens, wire), wire, tokens);
        }

        [Fact]
        public async Task BulkUploadGoesAsScimJsonWithTheTokenAndOneClientRequestId()
        {
            (GraphClient client, ScriptedWire wire, _) = Client(() => Answer(HttpStatusCode.Accepted, headers: r =>
            {
                r.Headers.Location = new Uri("https://graph.microsoft.com/v1.0/auditLogs/provisioning/?$filter=jobId eq 'API2AAD.x'");
                r.Headers.Add("request-id", "req-1");
            }));
            using (client)
            {
                GraphResponse response = await new ProvisioningApi(client).BulkUploadAsync("sp-1", "API2AAD.x", "{}", "client-1", CancellationToken.None);
                var sent = Assert.Single(wire.Seen);
                Assert.Equal(HttpMethod.Post, sent.Method);
                Assert.Equal("https://graph.microsoft.com/v1.0/servicePrincipals/sp-1/synchronization/jobs/API2AAD.x/bulkUpload", sent.Url.ToString());
                Assert.Equal("application/scim+json", sent.ContentType);
                Assert.Equal("Bearer token-1", sent.Authorization);
                Assert.Equal("client-1", sent.ClientRequestId);
                Assert.Equal(HttpStatusCode.Accepted, response.Status);
                Assert.Equal("req-1", response.RequestId);
                Assert.NotNull(response.Location);
            }
        }

        [Theory]
        [InlineData("https://graph.microsoft.com.evil.example/v1.0/auditLogs/provisioning?$skiptoken=1")]
        [InlineData("http://graph.microsoft.com/v1.0/auditLogs/provisioning?$skiptoken=1")]
        public async Task ANextLinkOffTheSessionsGraphHostIsRefusedWithoutSendingAnything(string nextLink)
        {
            (GraphClient client, ScriptedWire wire, NumberedTokens tokens) = Client();
            using (client)
            {
                GraphException error = await Assert.ThrowsAsync<GraphException>(() => client.GetJsonAsync(nextLink, CancellationToken.None));
                Assert.Contains("Refusing", error.Message, StringComparison.Ordinal);
                Assert.Empty(wire.Seen);
                Assert.Equal(0, tokens.Issued);
            }
        }

        [Fact]
        public async Task A401IsAnsweredByOneFreshTokenAndThenReported()
        {
            (GraphClient client, ScriptedWire wire, _) = Client(
                () => Answer(HttpStatusCode.Unauthorized),
                () => Answer(HttpStatusCode.Unauthorized, "{\"error\":{\"code\":\"InvalidAuthenticationToken\",\"message\":\"Access token has expired.\"}}"));
            using (client)
            {
                GraphException error = await Assert.ThrowsAsync<GraphException>(() => client.GetJsonAsync("servicePrincipals", CancellationToken.None));
                Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
                Assert.Equal("InvalidAuthenticationToken", error.Code);
                Assert.Equal(new[] { "Bearer token-1", "Bearer token-2" }, wire.Seen.Select(s => s.Authorization));
                Assert.DoesNotContain("token-", error.ToString(), StringComparison.Ordinal);
            }
        }

        [Fact]
        public async Task ThrottlingCarriesRetryAfterAndTheServicesMessage()
        {
            (GraphClient client, _, _) = Client(() => Answer((HttpStatusCode)429, "{\"error\":{\"code\":\"TooManyRequests\",\"message\":\"Too many requests.\"}}", r => r.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(TimeSpan.FromSeconds(7))));
            using (client)
            {
                GraphException error = await Assert.ThrowsAsync<GraphException>(() => new ProvisioningApi(client).BulkUploadAsync("sp", "job", "{}", "c", CancellationToken.None));
                Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
                Assert.True(error.IsTransient);
                Assert.Contains("Too many requests.", error.Message, StringComparison.Ordinal);
            }
        }

        [Fact]
        public async Task ADroppedConnectionIsATransientErrorWithoutStatus()
        {
            (GraphClient client, _, _) = Client(() => throw new HttpRequestException("The response ended prematurely."));
            using (client)
            {
                GraphException error = await Assert.ThrowsAsync<GraphException>(() => client.GetJsonAsync("servicePrincipals", CancellationToken.None));
                Assert.Null(error.Status);
                Assert.True(error.IsTransient);
            }
        }

        [Theory]
        [InlineData(400, false)]
        [InlineData(401, false)]
        [InlineData(403, false)]
        [InlineData(404, false)]
        [InlineData(429, true)]
        [InlineData(500, true)]
        [InlineData(502, true)]
        [InlineData(503, true)]
        [InlineData(504, true)]
        public void OnlyThrottlingAndServerErrorsAreRetried(int status, bool transient)
            => Assert.Equal(transient, new GraphException("x", (HttpStatusCode)status).IsTransient);
    }
}
