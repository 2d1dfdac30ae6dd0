using System.IO;
using System.Linq;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Sources;
using Xunit;

namespace EntraInboundProvisioning.Tests.Mapping
{
    public class MappingSuggestionTests
    {
        [Fact]
        public void MapsMicrosoftsSampleColumnsToTheAttributesTheirSampleMappingUses()
        {
            using var reader = new CsvRecordReader(Path.Combine(System.AppContext.BaseDirectory, "assets", "anchors", "csv-with-2-records.csv"));
            MappingSuggestion suggestion = MappingSuggestion.FromColumns(reader.Header.Names);
            Assert.Equal("WorkerID", suggestion.Targets["externalId"]);
            Assert.Equal("WorkerID", suggestion.Targets["enterprise.employeeNumber"]);
            Assert.Equal("UserID", suggestion.Targets["userName"]);
            Assert.Equal("FirstName", suggestion.Targets["name.givenName"]);
            Assert.Equal("LastName", suggestion.Targets["name.familyName"]);
            Assert.Equal("WorkerStatus", suggestion.Targets["active:status"]);
            Assert.Equal("ManagerID", suggestion.Targets["enterprise.manager"]);
            Assert.Equal("OfficePhone", suggestion.Targets["phoneNumbers:work"]);
            Assert.Equal("ZipCode", suggestion.Targets["addresses.postalCode"]);
            Assert.Equal(new[] { "GenderPronoun", "HireDate", "OnLeave", "Location", "Custom01", "Custom02" }, suggestion.Unmatched);
            Golden.AssertMatches("suggested-mapping.psd1", suggestion.ToPsd1("csv-with-2-records.csv").Replace("\r\n", "\n", System.StringComparison.Ordinal).TrimEnd('\n'));
        }

        [Fact]
        public void PrefersABooleanActiveColumnAndRecognisesOtherSpellings()
        {
            MappingSuggestion suggestion = MappingSuggestion.FromColumns(new[] { "Employee ID", "E-mail", "Status", "Is Active", "Mobile Phone", "Cost Centre", "surname" });
            Assert.Equal("Employee ID", suggestion.Targets["externalId"]);
            Assert.Equal("E-mail", suggestion.Targets["emails:work"]);
            Assert.Equal("Is Active", suggestion.Targets["active"]);
            Assert.False(suggestion.Targets.ContainsKey("active:status"));
            Assert.Equal("Mobile Phone", suggestion.Targets["phoneNumbers:mobile"]);
            Assert.Equal("Cost Centre", suggestion.Targets["enterprise.costCenter"]);
            Assert.Equal("surname", suggestion.Targets["name.familyName"]);
            Assert.Equal(new[] { "Status" }, suggestion.Unmatched);
        }

        [Fact]
        public void WithoutAWorkerIdTheFileSaysSoAndWithANamespaceLeftoversGoUnderIt()
        {
            MappingSuggestion suggestion = MappingSuggestion.FromColumns(new[] { "Name", "HireDate", "Badge No" });
            Assert.False(suggestion.HasExternalId);
            string text = suggestion.ToPsd1(null, "urn:ietf:params:scim:schemas:extension:contoso:1.0:User");
            Assert.Contains("# externalId = ", text);
            Assert.Contains("'urn:ietf:params:scim:schemas:extension:contoso:1.0:User' = @{", text);
            Assert.Contains("HireDate = 'HireDate'", text);
            Assert.Contains("#   Badge No", text);
            Assert.DoesNotContain("HireDate\n", text.Split("'urn:")[0]);
        }

        [Fact]
        public void QuotesColumnNamesSafely()
        {
            string text = MappingSuggestion.FromColumns(new[] { "Personnel'Number", "Job-Status" }).ToPsd1(null);
            Assert.Contains("externalId = 'Personnel''Number'", text);
        }
    }
}
