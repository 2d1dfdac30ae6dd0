using System;

namespace EntraInboundProvisioning.Auth
{
    /// <summary>
    /// Where a session's tokens come from and go to. Per Microsoft's national cloud docs, each cloud has its own
    /// Graph host and sign-in host, and the token scope is https://&lt;graph host&gt;/.default of the same cloud.
    /// </summary>
    public sealed class CloudEndpoints
    {
        private CloudEndpoints(Uri graph, Uri authority, string audience, bool isTest)
        {
            Graph = graph;
            AuthorityHost = authority;
            Audience = audience;
            IsTest = isTest;
        }

        /// <summary>The Graph service root, ending in '/'.</summary>
        public Uri Graph { get; }

        /// <summary>The sign-in host, ending in '/'.</summary>
        public Uri AuthorityHost { get; }

        /// <summary>The token audience: https://&lt;graph host&gt;.</summary>
        public string Audience { get; }

        /// <summary>The scope to request.</summary>
        public string Scope => Audience + "/.default";

        /// <summary>True for an explicitly configured test endpoint (the Graph emulator).</summary>
        public bool IsTest { get; }

        /// <summary>The endpoints of a cloud.</summary>
        public static CloudEndpoints For(CloudEnvironment environment) => environment switch
        {
            CloudEnvironment.Global => Create("graph.microsoft.com", "login.microsoftonline.com"),
            CloudEnvironment.USGov => Create("graph.microsoft.us", "login.microsoftonline.us"),
            CloudEnvironment.USGovDoD => Create("dod-graph.microsoft.us", "login.microsoftonline.us"),
            CloudEnvironment.China => Create("microsoftgraph.chinacloudapi.cn", "login.chinacloudapi.cn"),
            _ => throw new ArgumentOutOfRangeException(nameof(environment)),
        };

        /// <summary>
        /// A test endpoint (the Graph emulator): sign-in and Graph both at <paramref name="baseUri"/>, tokens still
        /// requested for the chosen cloud's audience. Must be HTTPS on a loopback address.
        /// </summary>
        public static CloudEndpoints ForTest(Uri baseUri, CloudEnvironment environment = CloudEnvironment.Global)
        {
            if (baseUri.Scheme != Uri.UriSchemeHttps || !baseUri.IsLoopback)
            {
                throw new ArgumentException($"A test endpoint must be https on a loopback address, not '{baseUri}'.", nameof(baseUri));
            }

            var root = new Uri(baseUri.GetLeftPart(UriPartial.Authority) + "/");
            return new CloudEndpoints(root, root, For(environment).Audience, isTest: true);
        }

        /// <summary>True when a request to <paramref name="uri"/> may carry this session's token.</summary>
        public bool MayReceiveToken(Uri uri)
            => uri.Scheme == Uri.UriSchemeHttps && string.Equals(uri.Authority, Graph.Authority, StringComparison.OrdinalIgnoreCase);

        private static CloudEndpoints Create(string graphHost, string loginHost)
            => new CloudEndpoints(new Uri($"https://{graphHost}/"), new Uri($"https://{loginHost}/"), $"https://{graphHost}", isTest: false);
    }
}
