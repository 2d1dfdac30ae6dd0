using System;
using System.IO;
using System.Linq;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Scim;

namespace EntraInboundProvisioning.Benchmarks
{
    /// <summary>What every benchmark program needs: its options, the repository, a program on PATH, the sample mapping.</summary>
    internal static class BenchmarkSupport
    {
        /// <summary>The value after <paramref name="name"/> on the command line, or <paramref name="fallback"/>.</summary>
        public static string Option(string[] args, string name, string fallback)
        {
            int at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? args[at + 1] : fallback;
        }

        /// <summary>The repository the benchmark runs from (the folder with EntraInboundProvisioning.sln).</summary>
        public static string FindRepository()
        {
            for (string? directory = AppContext.BaseDirectory; directory is not null; directory = Path.GetDirectoryName(directory))
            {
                if (File.Exists(Path.Combine(directory, "EntraInboundProvisioning.sln")))
                {
                    return directory;
                }
            }

            throw new InvalidOperationException("Run the benchmark from inside the repository.");
        }

        /// <summary>The full path of a program on PATH, or null.</summary>
        public static string? FindOnPath(string name)
            => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
                .Select(p => Path.Combine(p, name))
                .FirstOrDefault(File.Exists);

        /// <summary>samples/AttributeMapping.psd1 as the cmdlet layer compiles it (its scriptblocks are pure forms, which translate to these expressions).</summary>
        public static AttributeMapping SampleMapping()
        {
            static MappingNode Computed(string name, MappingExpression e) => MappingNode.ForComputed(name, new ComputedValue("{...}", null, e));
            return new AttributeMapping(new[]
            {
                MappingNode.ForColumn("externalId", "WorkerID"),
                MappingNode.ForColumn("userName", "UserID"),
                MappingNode.ForColumn("displayName", "FullName"),
                Computed("nickName", MappingExpression.Column("FirstName")),
                MappingNode.ForColumn("userType", "WorkerType"),
                MappingNode.ForColumn("title", "JobTitle"),
                Computed("active", MappingExpression.Equal(MappingExpression.Column("WorkerStatus"), MappingExpression.Literal("Active"))),
                MappingNode.ForComplex("name", new[] { MappingNode.ForColumn("givenName", "FirstName"), MappingNode.ForColumn("familyName", "LastName") }),
                MappingNode.ForMultiValued("addresses", new[]
                {
                    MappingNode.ForComplex(string.Empty, new[]
                    {
                        Computed("type", MappingExpression.Literal("work")),
                        MappingNode.ForColumn("streetAddress", "StreetAddress"),
                        MappingNode.ForColumn("locality", "City"),
                        MappingNode.ForColumn("postalCode", "ZipCode"),
                        MappingNode.ForColumn("country", "CountryCode"),
                    }),
                }),
                MappingNode.ForMultiValued("phoneNumbers", new[]
                {
                    MappingNode.ForComplex(string.Empty, new[] { Computed("type", MappingExpression.Literal("work")), MappingNode.ForColumn("value", "OfficePhone") }),
                }),
                MappingNode.ForComplex(ScimSchemas.EnterpriseUserUrn, new[]
                {
                    MappingNode.ForColumn("employeeNumber", "WorkerID"),
                    MappingNode.ForColumn("department", "Department"),
                    MappingNode.ForColumn("division", "Division"),
                    MappingNode.ForColumn("costCenter", "CostCenter"),
                    MappingNode.ForColumn("organization", "Company"),
                    MappingNode.ForComplex("manager", new[] { MappingNode.ForColumn("value", "ManagerID") }),
                }),
            });
        }
    }
}
