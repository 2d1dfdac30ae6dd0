using System;
using System.IO;
using System.Management.Automation;
using System.Reflection;
using System.Runtime.InteropServices;

namespace EntraInboundProvisioning.PowerShell
{
    /// <summary>
    /// Points dependency resolution at the module's Dependencies folder before any cmdlet type is touched. On
    /// PowerShell 7 the dependencies load in the module's own AssemblyLoadContext (EntraInboundProvisioning.LoadContext.dll);
    /// on Windows PowerShell 5.1, where there are no load contexts, an AssemblyResolve handler serves the folder
    /// (best effort: an assembly another module already loaded with the same name wins there). The module's public
    /// types (EntraInboundProvisioning.Contracts.dll, beside this assembly) load in the default context on both, so
    /// scripts can name them: [EntraInboundProvisioning.Scim.BulkRequest].
    /// </summary>
    public sealed class ModuleInitializer : IModuleAssemblyInitializer
    {
        private const string PublicTypesAssembly = "EntraInboundProvisioning.Contracts";

        private static readonly object Gate = new object();
        private static bool _registered;

        /// <inheritdoc />
        public void OnImport() => Register();

        /// <summary>Runs as the assembly's module initializer, and again (harmlessly) from OnImport.</summary>
#pragma warning disable CA2255 // A binary module is exactly the "advanced" case: resolution must be set up before PowerShell reflects over cmdlet parameter types.
        [System.Runtime.CompilerServices.ModuleInitializer]
#pragma warning restore CA2255
        internal static void Register()
        {
            lock (Gate)
            {
                if (_registered)
                {
                    return;
                }

                _registered = true;
            }

            string moduleDirectory = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location) ?? string.Empty;
            string dependencies = Path.Combine(moduleDirectory, "Dependencies");
            if (!Directory.Exists(dependencies))
            {
                // A flat build output (tests, benchmarks): everything sits beside the cmdlet assembly.
                return;
            }

            if (RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.Ordinal))
            {
                AppDomain.CurrentDomain.AssemblyResolve += (_, args) =>
                {
                    // Core binds the public types too; they sit beside this assembly, not in Dependencies/.
                    string name = new AssemblyName(args.Name).Name;
                    string path = Path.Combine(name == PublicTypesAssembly ? moduleDirectory : dependencies, name + ".dll");
                    return File.Exists(path) ? Assembly.LoadFrom(path) : null;
                };
            }
            else
            {
                Assembly loadContext = Assembly.LoadFrom(Path.Combine(moduleDirectory, "EntraInboundProvisioning.LoadContext.dll"));
                loadContext.GetType("EntraInboundProvisioning.LoadContext.DependencyLoadContext", throwOnError: true)!
                    .GetMethod("Initialize", BindingFlags.Public | BindingFlags.Static)!
                    .Invoke(null, new object[] { moduleDirectory, dependencies });
            }

            // Loaded now rather than on first use, so a script can name a type ([EntraInboundProvisioning.Auth.CloudEnvironment])
            // right after Import-Module, before it runs any cmdlet.
            Assembly.LoadFrom(Path.Combine(moduleDirectory, PublicTypesAssembly + ".dll"));
        }
    }
}

namespace System.Runtime.CompilerServices
{
    /// <summary>netstandard2.0 lacks the attribute; the C# compiler and every runtime honour it by name.</summary>
    [AttributeUsage(AttributeTargets.Method, Inherited = false)]
    internal sealed class ModuleInitializerAttribute : Attribute
    {
    }
}
