using System;
using System.Linq;
using System.Reflection;
using Xunit;

namespace EntraInboundProvisioning.Tests
{
    /// <summary>The architecture's seams, checked on the built assemblies.</summary>
    public class CoreBoundaryTests
    {
        private static readonly string[] PowerShellAssemblies = { "System.Management.Automation", "Microsoft.PowerShell" };
        private static readonly string[] IdentityAndGraphPrefixes = { "Microsoft.Identity", "Microsoft.Graph", "Microsoft.Kiota", "Azure." };

        [Fact]
        public void CoreDoesNotReferencePowerShell()
        {
            AssemblyName[] references = typeof(EntraInboundProvisioning.Scim.BulkRequestConverter).Assembly.GetReferencedAssemblies();
            Assert.DoesNotContain(references, r => PowerShellAssemblies.Any(p => r.Name!.StartsWith(p, StringComparison.OrdinalIgnoreCase)));
        }

        [Fact]
        public void CmdletAssemblyDoesNotReferenceIdentityOrGraphAssemblies()
        {
            Assembly cmdlets = Assembly.LoadFrom(System.IO.Path.Combine(AppContext.BaseDirectory, "EntraInboundProvisioning.dll"));
            AssemblyName[] references = cmdlets.GetReferencedAssemblies();
            Assert.Contains(references, r => r.Name == "System.Management.Automation");
            Assert.DoesNotContain(references, r => IdentityAndGraphPrefixes.Any(p => r.Name!.StartsWith(p, StringComparison.OrdinalIgnoreCase)));
        }

        [Fact]
        public void PublicTypesReferenceNothingButTheFramework()
        {
            // They load in the default context beside the cmdlet assembly, where a package of theirs (MSAL, CsvHelper,
            // System.Text.Json) would meet other modules' copies; JSON reading of these types lives in Core.
            AssemblyName[] references = typeof(EntraInboundProvisioning.Scim.BulkRequest).Assembly.GetReferencedAssemblies();
            Assert.Equal("EntraInboundProvisioning.Contracts", typeof(EntraInboundProvisioning.Scim.BulkRequest).Assembly.GetName().Name);
            Assert.Equal(new[] { "netstandard" }, references.Select(r => r.Name!));
        }

        [Fact]
        public void ShippedAssembliesTargetNetStandard20SoTheModuleLoadsInWindowsPowerShell()
        {
            foreach (string name in new[] { "EntraInboundProvisioning.Contracts.dll", "EntraInboundProvisioning.Core.dll", "EntraInboundProvisioning.dll" })
            {
                // A netstandard2.0 assembly binds to the 'netstandard' facade 2.0, never to System.Runtime.
                AssemblyName[] references = Assembly.LoadFrom(System.IO.Path.Combine(AppContext.BaseDirectory, name)).GetReferencedAssemblies();
                AssemblyName facade = Assert.Single(references, r => r.Name == "netstandard");
                Assert.Equal(new Version(2, 0, 0, 0), facade.Version);
                Assert.DoesNotContain(references, r => r.Name == "System.Runtime");
            }
        }
    }
}
