using System;
using System.Linq;
using EntraInboundProvisioning.Scim;
using Xunit;

namespace EntraInboundProvisioning.Tests.Scim
{
    public class BulkRequestReaderTests
    {
        [Theory]
        [InlineData("not json", "not valid JSON")]
        [InlineData("[]", "not a JSON object")]
        [InlineData("{\"Operations\":[]}", "'schemas' must contain")]
        [InlineData("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"],\"operations\":[]}", "capital O")]
        [InlineData("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"],\"Operations\":[]}", "has 0 operations")]
        [InlineData("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"],\"Operations\":[{\"data\":{}}]}", "operation 1 has no data.externalId")]
        public void ParseRefusesDocumentsGraphWouldRefuse(string json, string message)
        {
            var ex = Assert.Throws<FormatException>(() => BulkRequestReader.Parse(json, source: "r.json"));
            Assert.Contains(message, ex.Message);
        }

        [Fact]
        public void ParseReadsExternalIdsAndRefusesMoreThanFiftyOperations()
        {
            string Doc(int n) => "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"],\"Operations\":["
                + string.Join(",", Enumerable.Range(1, n).Select(i => $"{{\"method\":\"POST\",\"path\":\"/Users\",\"bulkId\":\"{i}\",\"data\":{{\"externalId\":\"E{i}\"}}}}")) + "]}";
            Assert.Equal(Enumerable.Range(1, 50).Select(i => $"E{i}"), BulkRequestReader.Parse(Doc(50)).ExternalIds);
            Assert.Contains("has 51 operations", Assert.Throws<FormatException>(() => BulkRequestReader.Parse(Doc(51))).Message);
        }
    }
}
