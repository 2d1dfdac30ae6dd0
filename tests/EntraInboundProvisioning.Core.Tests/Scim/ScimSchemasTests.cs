using EntraInboundProvisioning.Scim;
using Xunit;

namespace EntraInboundProvisioning.Tests.Scim
{
    public class ScimSchemasTests
    {
        [Theory]
        [InlineData("HireDate", true)]
        [InlineData("cost-center_2", true)]
        [InlineData("$ref", true)]
        [InlineData("2ndName", false)]
        [InlineData("Hire Date", false)]
        [InlineData("Hire.Date", false)]
        [InlineData("", false)]
        public void AttributeNamesFollowRfc7643(string name, bool valid) => Assert.Equal(valid, ScimSchemas.IsValidAttributeName(name));

        [Theory]
        [InlineData("urn:ietf:params:scim:schemas:extension:csv:1.0:User", true)]
        [InlineData("urn:ietf:params:scim:schemas:extension:contoso-hr:2.0:User", true)]
        [InlineData("urn:ietf:params:scim:schemas:extension:", false)]
        [InlineData("urn:ietf:params:scim:schemas:extension:csv::User", false)]
        [InlineData("urn:contoso:User", false)]
        [InlineData("urn:ietf:params:scim:schemas:extension:c v:User", false)]
        public void ExtensionUrnsAreChecked(string urn, bool valid) => Assert.Equal(valid, ScimSchemas.IsWellFormedExtensionUrn(urn));

        [Fact]
        public void SchemasKnowTheirAttributes()
        {
            Assert.Equal(ScimAttributeType.Boolean, ScimSchemas.CoreUser.Find("ACTIVE")!.Type);
            Assert.True(ScimSchemas.CoreUser.Find("phoneNumbers")!.MultiValued);
            Assert.Equal(ScimMutability.ReadOnly, ScimSchemas.CoreUser.Find("groups")!.Mutability);
            Assert.NotNull(ScimSchemas.EnterpriseUser.Find("manager")!.FindSubAttribute("value"));
            Assert.Same(ScimSchemas.EnterpriseUser, ScimSchemas.Find(ScimSchemas.EnterpriseUserUrn.ToUpperInvariant()));
            Assert.Null(ScimSchemas.Find("urn:ietf:params:scim:schemas:extension:csv:1.0:User"));
        }
    }
}
