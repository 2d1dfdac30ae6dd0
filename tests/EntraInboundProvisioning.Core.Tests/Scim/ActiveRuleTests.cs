using System;
using System.Linq;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Scim;
using EntraInboundProvisioning.Sources;
using Xunit;
using static EntraInboundProvisioning.Tests.Scim.BulkRequestConverterTests;

namespace EntraInboundProvisioning.Tests.Scim
{
    /// <summary>The service disables the account of a record that omits active: no record leaves without it unless the admin opts out.</summary>
    public class ActiveRuleTests
    {
        private static AttributeMapping WithoutActive() => new AttributeMapping(new[] { MappingNode.ForColumn("externalId", "Id"), MappingNode.ForColumn("userName", "Upn") });

        private static AttributeMapping ActiveFromColumn() => new AttributeMapping(new[] { MappingNode.ForColumn("externalId", "Id"), MappingNode.ForColumn("userName", "Upn"), MappingNode.ForColumn("active", "Enabled") });

        [Fact]
        public void AMappingWithoutActiveIsAnErrorThatExplainsTheServiceBehaviour()
        {
            MappingFinding finding = Assert.Single(MappingValidator.Validate(WithoutActive()));
            Assert.Equal(FindingSeverity.Error, finding.Severity);
            Assert.Equal("ActiveNotMapped", finding.Code);
            Assert.Equal("active", finding.Attribute);
            Assert.Contains("disable", finding.Message);
            Assert.Contains("-AllowMissingActive", finding.Message);
            Assert.Empty(MappingValidator.Validate(WithoutActive(), allowMissingActive: true));
        }

        [Fact]
        public void TheConverterRefusesAMappingWithoutActiveUnlessTheAdminOptsOut()
        {
            var refused = Assert.Throws<ArgumentException>(() => new BulkRequestConverter(WithoutActive(), null, _ => { }));
            Assert.Contains("active is not mapped", refused.Message);

            Run run = Convert(WithoutActive(), new[] { Row(1, ("Id", "1"), ("Upn", "a@x")) }, new ConversionOptions { AllowMissingActive = true });
            Assert.False(run.User("1").TryGetProperty("active", out _));
        }

        [Fact]
        public void ARecordWhoseActiveIsEmptyIsAnErrorNamingFileRowAndColumnAndTheOthersGoOn()
        {
            Run run = Convert(ActiveFromColumn(), Csv("Id,Upn,Enabled\n1,a@x,True\n2,b@x,\n3,c@x,False\n", "hr.csv"));
            ConversionDiagnostic error = Assert.Single(run.Diagnostics);
            Assert.Equal(DiagnosticSeverity.Error, error.Severity);
            Assert.Equal("MissingActive", error.ErrorId);
            Assert.Equal("hr.csv", error.Source);
            Assert.Equal(2, error.RecordNumber);
            Assert.Equal("active", error.Attribute);
            Assert.Equal("2", error.ExternalId);
            Assert.StartsWith("'hr.csv', row 2: active (column 'Enabled') is empty", error.Message);
            Assert.Equal(new[] { "1", "3" }, run.Requests.SelectMany(r => r.ExternalIds));
            Assert.True(run.User("1").GetProperty("active").GetBoolean());
            Assert.False(run.User("3").GetProperty("active").GetBoolean());
        }

        [Fact]
        public void NullModeDoesNotTurnAnEmptyActiveIntoANull()
        {
            Run run = Convert(ActiveFromColumn(), new[] { Row(1, ("Id", "1"), ("Upn", "a@x"), ("Enabled", "")) }, new ConversionOptions { EmptyValue = EmptyValueHandling.Null });
            Assert.Equal("MissingActive", Assert.Single(run.Diagnostics).ErrorId);
            Assert.Empty(run.Requests);
        }

        [Fact]
        public void AScriptblockThatReturnsNothingForActiveIsAnError()
        {
            var mapping = new AttributeMapping(new[]
            {
                MappingNode.ForColumn("externalId", "Id"),
                MappingNode.ForColumn("userName", "Upn"),
                MappingNode.ForComputed("active", new ComputedValue("{ if ($_.Status -eq 'A') { $true } }", r => r.TryGetValue("Status", out object? v) && (string?)v == "A" ? true : null)),
            });
            Run run = Convert(mapping, new[] { Row(1, ("Id", "1"), ("Upn", "a@x"), ("Status", "A")), Row(2, ("Id", "2"), ("Upn", "b@x"), ("Status", "T")) });
            ConversionDiagnostic error = Assert.Single(run.Diagnostics);
            Assert.Equal("MissingActive", error.ErrorId);
            Assert.StartsWith("Input object 2: active is empty", error.Message);
            Assert.Equal(new[] { "1" }, run.Requests.SelectMany(r => r.ExternalIds));
        }

        [Fact]
        public void WithTheOptOutAnEmptyActiveIsLeftOut()
        {
            Run run = Convert(ActiveFromColumn(), new[] { Row(1, ("Id", "1"), ("Upn", "a@x"), ("Enabled", "")) }, new ConversionOptions { AllowMissingActive = true });
            Assert.Empty(run.Diagnostics);
            Assert.False(run.User("1").TryGetProperty("active", out _));
        }

        [Fact]
        public void TheSameNamedColumnsMappingNeedsAnActiveColumn()
        {
            AttributeMapping mapping = AttributeMapping.FromSameNamedColumns(new[] { "externalId", "userName", "displayName" });
            Assert.Contains(MappingValidator.Validate(mapping), f => f.Code == "ActiveNotMapped");
            AttributeMapping withActive = AttributeMapping.FromSameNamedColumns(new[] { "externalId", "userName", "Active" });
            Assert.DoesNotContain(MappingValidator.Validate(withActive), f => f.Code == "ActiveNotMapped");
        }

        [Fact]
        public void TheSuggestedMappingNeverOmitsActiveSilently()
        {
            string text = MappingSuggestion.FromColumns(new[] { "EmployeeId", "Upn", "FullName" }).ToPsd1("hr.csv");
            Assert.Contains("# active", text);
            Assert.Contains("REQUIRED", text.Split('\n').Single(l => l.Contains("# active", StringComparison.Ordinal)));
        }
    }
}
