using System.Collections.Generic;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Scim;

namespace EntraInboundProvisioning.Tests
{
    /// <summary>
    /// Mapping trees as the cmdlet layer builds them from .psd1 files; scriptblocks of the pure forms become
    /// compiled expressions, exactly as the PowerShell adapter translates them.
    /// </summary>
    internal static class TestMappings
    {
        /// <summary>The tree of assets/anchors/AttributeMapping.psd1 (Microsoft's CSV2SCIM sample).</summary>
        public static AttributeMapping MicrosoftSample(string? source = null) => new AttributeMapping(
            new[]
            {
                MappingNode.ForColumn("externalId", "WorkerID"),
                MappingNode.ForComplex("name", new[] { MappingNode.ForColumn("familyName", "LastName"), MappingNode.ForColumn("givenName", "FirstName") }),
                Computed("active", "{ $_.'WorkerStatus' -eq 'Active' }", MappingExpression.Equal(MappingExpression.Column("WorkerStatus"), MappingExpression.Literal("Active"))),
                MappingNode.ForColumn("userName", "UserID"),
                MappingNode.ForColumn("displayName", "FullName"),
                MappingNode.ForColumn("nickName", "UserID"),
                MappingNode.ForColumn("userType", "WorkerType"),
                MappingNode.ForColumn("title", "JobTitle"),
                MappingNode.ForMultiValued("addresses", new[]
                {
                    MappingNode.ForComplex(string.Empty, new[]
                    {
                        Computed("type", "{ 'work' }", MappingExpression.Literal("work")),
                        MappingNode.ForColumn("streetAddress", "StreetAddress"),
                        MappingNode.ForColumn("locality", "City"),
                        MappingNode.ForColumn("postalCode", "ZipCode"),
                        MappingNode.ForColumn("country", "CountryCode"),
                    }),
                }),
                MappingNode.ForMultiValued("phoneNumbers", new[]
                {
                    MappingNode.ForComplex(string.Empty, new[]
                    {
                        Computed("type", "{ 'work' }", MappingExpression.Literal("work")),
                        MappingNode.ForColumn("value", "OfficePhone"),
                    }),
                }),
                MappingNode.ForComplex(ScimSchemas.EnterpriseUserUrn, new[]
                {
                    MappingNode.ForColumn("employeeNumber", "WorkerID"),
                    MappingNode.ForColumn("costCenter", "CostCenter"),
                    MappingNode.ForColumn("organization", "Company"),
                    MappingNode.ForColumn("division", "Division"),
                    MappingNode.ForColumn("department", "Department"),
                    MappingNode.ForComplex("manager", new[] { MappingNode.ForColumn("value", "ManagerID") }),
                }),
            },
            source);

        public static MappingNode Computed(string name, string text, MappingExpression expression)
            => MappingNode.ForComputed(name, new ComputedValue(text, null, expression));

        public static AttributeMapping Of(params MappingNode[] entries) => new AttributeMapping(entries);

        public static AttributeMapping Minimal(params MappingNode[] more)
        {
            var entries = new List<MappingNode> { MappingNode.ForColumn("externalId", "Id"), MappingNode.ForColumn("userName", "Upn"), MappingNode.ForConstant("active", true) };
            entries.AddRange(more);
            return new AttributeMapping(entries);
        }
    }
}
