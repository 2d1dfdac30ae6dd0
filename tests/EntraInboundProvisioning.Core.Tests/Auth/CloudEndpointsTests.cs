using System;
using EntraInboundProvisioning.Auth;
using Xunit;

namespace EntraInboundProvisioning.Tests.Auth
{
    public class CloudEndpointsTests
    {
        [Theory]
        [InlineData(CloudEnvironment.Global, "https://graph.microsoft.com/", "https://login.microsoftonline.com/", "https://graph.microsoft.com/.default")]
        [InlineData(CloudEnvironment.USGov, "https://graph.microsoft.us/", "https://login.microsoftonline.us/", "https://graph.microsoft.us/.default")]
        [InlineData(CloudEnvironment.USGovDoD, "https://dod-graph.microsoft.us/", "https://login.microsoftonline.us/", "https://dod-graph.microsoft.us/.default")]
        [InlineData(CloudEnvironment.China, "https://microsoftgraph.chinacloudapi.cn/", "https://login.chinacloudapi.cn/", "https://microsoftgraph.chinacloudapi.cn/.default")]
        public void EachCloudPairsItsGraphHostWithItsOwnScope(CloudEnvironment cloud, string graph, string login, string scope)
        {
            CloudEndpoints endpoints = CloudEndpoints.For(cloud);
            Assert.Equal(new Uri(graph), endpoints.Graph);
            Assert.Equal(new Uri(login), endpoints.AuthorityHost);
            Assert.Equal(scope, endpoints.Scope);
            Assert.False(endpoints.IsTest);
        }

        [Theory]
        [InlineData("https://graph.microsoft.com/v1.0/servicePrincipals", true)]
        [InlineData("https://GRAPH.microsoft.com/v1.0/auditLogs/provisioning?$skiptoken=x", true)]
        [InlineData("http://graph.microsoft.com/v1.0/servicePrincipals", false)]
        [InlineData("https://graph.microsoft.us/v1.0/servicePrincipals", false)]
        [InlineData("https://graph.microsoft.com.evil.example/v1.0/", false)]
        [InlineData("https://graph.microsoft.com:8443/v1.0/", false)]
        [InlineData("https://login.microsoftonline.com/common", false)]
        public void OnlyTheCloudsOwnGraphHostOverHttpsReceivesTheToken(string url, bool allowed)
            => Assert.Equal(allowed, CloudEndpoints.For(CloudEnvironment.Global).MayReceiveToken(new Uri(url)));

        [Theory]
        [InlineData("http://127.0.0.1:5443/")]
        [InlineData("https://emulator.example.com/")]
        [InlineData("https://10.0.0.5:5443/")]
        public void ATestEndpointMustBeHttpsOnLoopback(string url)
            => Assert.Throws<ArgumentException>(() => CloudEndpoints.ForTest(new Uri(url)));

        [Fact]
        public void ATestEndpointServesSignInAndGraphButKeepsTheCloudsAudience()
        {
            CloudEndpoints endpoints = CloudEndpoints.ForTest(new Uri("https://127.0.0.1:5443/some/path"), CloudEnvironment.USGov);
            Assert.True(endpoints.IsTest);
            Assert.Equal(new Uri("https://127.0.0.1:5443/"), endpoints.Graph);
            Assert.Equal(new Uri("https://127.0.0.1:5443/"), endpoints.AuthorityHost);
            Assert.Equal("https://graph.microsoft.us/.default", endpoints.Scope);
            Assert.True(endpoints.MayReceiveToken(new Uri("https://127.0.0.1:5443/v1.0/servicePrincipals")));
            Assert.False(endpoints.MayReceiveToken(new Uri("https://127.0.0.1:5444/v1.0/servicePrincipals")));
            Assert.False(endpoints.MayReceiveToken(new Uri("https://graph.microsoft.us/v1.0/servicePrincipals")));
        }
    }
}
