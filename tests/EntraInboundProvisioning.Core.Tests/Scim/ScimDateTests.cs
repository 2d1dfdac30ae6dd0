using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Scim;
using Xunit;
using static EntraInboundProvisioning.Tests.Scim.BulkRequestConverterTests;

namespace EntraInboundProvisioning.Tests.Scim
{
    /// <summary>Dates that land on Entra date-time attributes go out as ISO 8601 in UTC, or not at all.</summary>
    public class ScimDateTests
    {
        private const string Contoso = "urn:ietf:params:scim:schemas:extension:contoso:1.0:User";

        [Theory]
        [InlineData("2024-03-01", "2024-03-01T00:00:00Z")]
        [InlineData("03/01/2024", "2024-03-01T00:00:00Z")]
        [InlineData("3/1/2024", "2024-03-01T00:00:00Z")]
        [InlineData("1 Mar 2024", "2024-03-01T00:00:00Z")]
        [InlineData("01-Mar-2024", "2024-03-01T00:00:00Z")]
        [InlineData("March 1, 2024", "2024-03-01T00:00:00Z")]
        [InlineData(" 2024-03-01 ", "2024-03-01T00:00:00Z")]
        [InlineData("2024-03-01T09:30:00", "2024-03-01T09:30:00Z")]
        [InlineData("2024-03-01T09:30:00+02:00", "2024-03-01T07:30:00Z")]
        [InlineData("2024-03-01T09:30:00.25Z", "2024-03-01T09:30:00.25Z")]
        [InlineData("2024-03-01 09:30:00", "2024-03-01T09:30:00Z")]
        public void ReadsTheFormsHrExportsWriteWithoutHelp(string input, string expected)
            => Assert.Equal(expected, ScimDate.Default.Normalize(input));

        [Theory]
        [InlineData("01.03.2024")]   // January or March? Never guessed.
        [InlineData("13/01/2024")]   // day-first: not month/day/year
        [InlineData("2024-02-30")]
        [InlineData("next Monday")]
        [InlineData("45352")]        // an Excel serial number
        public void RefusesWhatItCannotReadUnambiguously(string input)
        {
            var error = Assert.Throws<FormatException>(() => ScimDate.Default.Normalize(input));
            Assert.Contains($"'{input}'", error.Message);
            Assert.Contains("-DateFormat", error.Message);
        }

        [Fact]
        public void ExplicitFormatsAreReadExactlyAndIsoStillWorks()
        {
            var dates = new ScimDate(new[] { "dd.MM.yyyy" });
            Assert.Equal("2024-03-01T00:00:00Z", dates.Normalize("01.03.2024"));
            Assert.Equal("2024-03-01T00:00:00Z", dates.Normalize("2024-03-01"));
            var error = Assert.Throws<FormatException>(() => dates.Normalize("03/01/2024"));
            Assert.Contains("'dd.MM.yyyy'", error.Message);
        }

        [Fact]
        public void ACultureReadsItsOwnOrder()
        {
            var british = new ScimDate(culture: CultureInfo.GetCultureInfo("en-GB"));
            Assert.Equal("2024-01-03T00:00:00Z", british.Normalize("03/01/2024"));
            Assert.Equal("2024-01-13T00:00:00Z", british.Normalize("13/01/2024"));
            var german = new ScimDate(culture: CultureInfo.GetCultureInfo("de-DE"));
            Assert.Equal("2024-03-01T00:00:00Z", german.Normalize("01.03.2024"));
            Assert.Throws<FormatException>(() => german.Normalize("not a date"));
        }

        [Fact]
        public void DateValuesFromScriptblocksAreSentInUtc()
        {
            Assert.Equal("2024-03-01T00:00:00Z", ScimDate.Default.Normalize(new DateTime(2024, 3, 1)));
            Assert.Equal("2024-02-29T22:00:00Z", ScimDate.Default.Normalize(new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.FromHours(2))));
            DateTime local = new DateTime(2024, 3, 1, 12, 0, 0, DateTimeKind.Local);
            Assert.Equal(ScimDate.Format(local.ToUniversalTime()), ScimDate.Default.Normalize(local));
            Assert.Throws<FormatException>(() => ScimDate.Default.Normalize(42));
        }

        [Fact]
        public void DeclaredDateAttributesAreSentAsIsoAndABadDateIsAnErrorNamingRowAndAttribute()
        {
            var mapping = TestMappings.Minimal(MappingNode.ForComplex(Contoso, new[] { MappingNode.ForColumn("HireDate", "Hired"), MappingNode.ForColumn("Grade", "Grade") }));
            var options = new ConversionOptions { DateAttributes = new HashSet<string>(new[] { Contoso + ":HireDate" }, StringComparer.OrdinalIgnoreCase) };
            Run run = Convert(mapping, Csv("Id,Upn,Hired,Grade\n1,a@x,03/01/2024,2024-01-01\n2,b@x,01.03.2024,7\n3,c@x,,7\n", "hr.csv"), options);

            Assert.Equal("2024-03-01T00:00:00Z", run.User("1").GetProperty(Contoso).GetProperty("HireDate").GetString());
            Assert.Equal("2024-01-01", run.User("1").GetProperty(Contoso).GetProperty("Grade").GetString());
            Assert.False(run.User("3").GetProperty(Contoso).TryGetProperty("HireDate", out _));

            ConversionDiagnostic error = Assert.Single(run.Diagnostics);
            Assert.Equal("InvalidAttributeValue", error.ErrorId);
            Assert.Equal(2, error.RecordNumber);
            Assert.Equal(Contoso + ":HireDate", error.Attribute);
            Assert.StartsWith($"'hr.csv', row 2: '{Contoso}:HireDate' (column 'Hired'): '01.03.2024'", error.Message);
            Assert.Equal(new[] { "1", "3" }, run.Requests.SelectMany(r => r.ExternalIds));
        }

        [Fact]
        public void ABareNameMatchesTheAttributeAndUnknownNamesAreReported()
        {
            var mapping = TestMappings.Minimal(MappingNode.ForComplex(Contoso, new[] { MappingNode.ForColumn("HireDate", "Hired") }));
            var options = new ConversionOptions { DateAttributes = new HashSet<string>(new[] { "hiredate", "LeaveDate" }, StringComparer.OrdinalIgnoreCase), Dates = new ScimDate(new[] { "dd.MM.yyyy" }) };
            using var converter = new BulkRequestConverter(mapping, options, _ => { });
            Assert.Equal(new[] { "LeaveDate" }, converter.UnmatchedDateAttributes);
            converter.Add(Row(1, ("Id", "1"), ("Upn", "a@x"), ("Hired", "01.03.2024")));
            var run = new Run();
            run.Requests.AddRange(converter.CompleteAndTakeAll());
            Assert.Equal("2024-03-01T00:00:00Z", run.User("1").GetProperty(Contoso).GetProperty("HireDate").GetString());
        }

        [Fact]
        public void DateColumnsSentUnderTheSchemaNamespaceAreConvertedToo()
        {
            const string ns = "urn:ietf:params:scim:schemas:extension:csv:1.0:User";
            var options = new ConversionOptions { ScimSchemaNamespace = ns, DateAttributes = new HashSet<string>(new[] { ns + ":HireDate" }, StringComparer.OrdinalIgnoreCase) };
            Run run = Convert(TestMappings.Minimal(), Csv("Id,Upn,HireDate\n1,a@x,1 Mar 2024\n2,b@x,someday\n", "hr.csv"), options);
            Assert.Equal("2024-03-01T00:00:00Z", run.User("1").GetProperty(ns).GetProperty("HireDate").GetString());
            ConversionDiagnostic error = Assert.Single(run.Diagnostics);
            Assert.Equal("InvalidAttributeValue", error.ErrorId);
            Assert.Equal(2, error.RecordNumber);
            Assert.Equal(ns + ":HireDate", error.Attribute);
            Assert.Contains("'someday'", error.Message);
            Assert.Equal(new[] { "1" }, run.Requests.SelectMany(r => r.ExternalIds));
        }
    }
}
