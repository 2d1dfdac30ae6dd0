using System.Collections.Generic;
using System.Linq;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Scim;
using Xunit;

namespace EntraInboundProvisioning.Tests.Mapping
{
    public class MappingValidatorTests
    {
        public static IEnumerable<object[]> Cases()
        {
            MappingNode work = TestMappings.Computed("type", "{ 'work' }", MappingExpression.Literal("work"));
            yield return Case("UnknownAttribute", "mail", MappingNode.ForColumn("mail", "Email"));
            yield return Case("UnknownSubAttribute", "name.first", MappingNode.ForComplex("name", new[] { MappingNode.ForColumn("first", "F") }));
            yield return Case("MultiValuedNotArray", "emails", MappingNode.ForComplex("emails", new[] { MappingNode.ForColumn("value", "E") }));
            yield return Case("NotMultiValued", "name", MappingNode.ForMultiValued("name", new[] { MappingNode.ForComplex(string.Empty, new[] { MappingNode.ForColumn("givenName", "F") }) }));
            yield return Case("ComplexExpected", "name", MappingNode.ForColumn("name", "FullName"));
            yield return Case("ComplexExpected", "phoneNumbers", MappingNode.ForColumn("phoneNumbers", "Phone"));
            yield return Case("SimpleExpected", "displayName", MappingNode.ForComplex("displayName", new[] { MappingNode.ForColumn("value", "X") }));
            yield return Case("ReadOnlyAttribute", "groups", MappingNode.ForMultiValued("groups", new[] { MappingNode.ForComplex(string.Empty, new[] { MappingNode.ForColumn("value", "G") }) }));
            yield return Case("ReadOnlyAttribute", "id", MappingNode.ForColumn("id", "Id"));
            yield return Case("UnsupportedAttribute", "password", MappingNode.ForColumn("password", "Pwd"));
            yield return Case("MalformedExtensionUrn", "urn:contoso:User", MappingNode.ForComplex("urn:contoso:User", new[] { MappingNode.ForColumn("a", "A") }));
            yield return Case("MalformedExtensionUrn", "urn:ietf:params:scim:schemas:extension:con toso:User", MappingNode.ForComplex("urn:ietf:params:scim:schemas:extension:con toso:User", new[] { MappingNode.ForColumn("a", "A") }));
            yield return Case("ExtensionNotHashtable", "urn:ietf:params:scim:schemas:extension:x:1.0:User", MappingNode.ForColumn("urn:ietf:params:scim:schemas:extension:x:1.0:User", "A"));
            yield return Case("InvalidAttributeName", "urn:ietf:params:scim:schemas:extension:x:1.0:User:Hire Date", MappingNode.ForComplex("urn:ietf:params:scim:schemas:extension:x:1.0:User", new[] { MappingNode.ForColumn("Hire Date", "A") }));
            yield return Case("UnknownAttribute", ScimSchemas.EnterpriseUserUrn + ":departmentName", MappingNode.ForComplex(ScimSchemas.EnterpriseUserUrn, new[] { MappingNode.ForColumn("departmentName", "D") }));
            yield return Case("ComplexExpected", ScimSchemas.EnterpriseUserUrn + ":manager", MappingNode.ForComplex(ScimSchemas.EnterpriseUserUrn, new[] { MappingNode.ForColumn("manager", "M") }));
            yield return Case("CoreSchemaAsExtension", ScimSchemas.CoreUserUrn, MappingNode.ForComplex(ScimSchemas.CoreUserUrn, new[] { MappingNode.ForColumn("title", "T") }));
            yield return Case("DuplicateAttribute", "Title", MappingNode.ForColumn("Title", "T"));
            _ = work;
        }

        private static object[] Case(string code, string attribute, MappingNode node) => new object[] { code, attribute, node };

        [Theory]
        [MemberData(nameof(Cases))]
        public void ReportsTheProblemAsAnErrorOnTheRightAttribute(string code, string attribute, MappingNode node)
        {
            var mapping = TestMappings.Minimal(MappingNode.ForColumn("title", "T"), node);
            IReadOnlyList<MappingFinding> findings = MappingValidator.Validate(mapping);
            MappingFinding finding = Assert.Single(findings, f => f.Severity == FindingSeverity.Error);
            Assert.Equal(code, finding.Code);
            Assert.Equal(attribute, finding.Attribute);
        }

        [Fact]
        public void TheMicrosoftSampleMappingIsValid()
        {
            Assert.Empty(MappingValidator.Validate(TestMappings.MicrosoftSample()));
        }

        [Fact]
        public void SuggestsTheIntendedAttributeName()
        {
            var findings = MappingValidator.Validate(TestMappings.Minimal(MappingNode.ForColumn("dispalyName", "N")));
            Assert.Contains("Did you mean 'displayName'?", Assert.Single(findings).Message);
        }

        [Fact]
        public void MissingExternalIdIsAnErrorAndMissingUserNameAWarning()
        {
            var findings = MappingValidator.Validate(TestMappings.Of(MappingNode.ForColumn("displayName", "N")));
            Assert.Contains(findings, f => f.Code == "ExternalIdNotMapped" && f.Severity == FindingSeverity.Error);
            Assert.Contains(findings, f => f.Code == "UserNameNotMapped" && f.Severity == FindingSeverity.Warning);
            Assert.Equal("EmptyMapping", Assert.Single(MappingValidator.Validate(TestMappings.Of())).Code);
        }

        [Fact]
        public void ChecksEveryMappedColumnAgainstTheInput()
        {
            string[] columns = { "WorkerID", "UserID", "FirstName", "LastName", "FullName", "WorkerType", "JobTitle", "StreetAddress", "City", "ZipCode", "CountryCode", "OfficePhone", "CostCenter", "Company", "Division", "Department", "ManagerID" };
            var findings = MappingValidator.Validate(TestMappings.MicrosoftSample(), columns);
            MappingFinding finding = Assert.Single(findings);
            Assert.Equal("MappedColumnNotFound", finding.Code);
            Assert.Equal("active", finding.Attribute);
            Assert.Equal("WorkerStatus", finding.Column);
            Assert.Contains("Available columns: WorkerID, UserID", finding.Message);

            // Column names match case-insensitively, as PowerShell property access does.
            Assert.Empty(MappingValidator.Validate(TestMappings.MicrosoftSample(), columns.Select(c => c.ToUpperInvariant()).Append("workerstatus").ToArray()));
        }

        [Fact]
        public void WarnsAboutNonCanonicalConstantTypes()
        {
            var mapping = TestMappings.Minimal(MappingNode.ForMultiValued("phoneNumbers", new[]
            {
                MappingNode.ForComplex(string.Empty, new[] { TestMappings.Computed("type", "{ 'office' }", MappingExpression.Literal("office")), MappingNode.ForColumn("value", "P") }),
            }));
            MappingFinding finding = Assert.Single(MappingValidator.Validate(mapping));
            Assert.Equal(FindingSeverity.Warning, finding.Severity);
            Assert.Equal("NonCanonicalValue", finding.Code);
            Assert.Equal("phoneNumbers[0].type", finding.Attribute);
        }

        [Fact]
        public void WarnsAboutExtensionUrnsNotEndingInUser()
        {
            var mapping = TestMappings.Minimal(MappingNode.ForComplex("urn:ietf:params:scim:schemas:extension:contoso:1.0", new[] { MappingNode.ForColumn("JobCode", "J") }));
            MappingFinding finding = Assert.Single(MappingValidator.Validate(mapping));
            Assert.Equal("ExtensionUrnNotUser", finding.Code);
            Assert.Equal(FindingSeverity.Warning, finding.Severity);
        }

        [Fact]
        public void SameNamedColumnsMakeTheDefaultMapping()
        {
            AttributeMapping mapping = AttributeMapping.FromSameNamedColumns(new[] { "ExternalID", "USERNAME", "Active", "DisplayName", "Department", "name", "id" });
            Assert.Equal(new[] { "externalId", "userName", "displayName", "active" }.OrderBy(x => x), mapping.Entries.Select(e => e.Name).OrderBy(x => x));
            Assert.Equal("ExternalID", mapping.Find("externalId")!.Column);
        }
    }
}
