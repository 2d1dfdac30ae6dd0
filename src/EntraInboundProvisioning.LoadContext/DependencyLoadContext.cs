using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.Loader;

namespace EntraInboundProvisioning.LoadContext
{
    /// <summary>
    /// Loads the module's dependencies (Core, MSAL, CsvHelper, …) from its Dependencies folder into a context of
    /// their own, so another module's MSAL or CsvHelper in the session never meets ours. Framework assemblies
    /// come from the runtime; the only assembly handed to the default context is the engine, Core. The other way
    /// round, the module's public types (Contracts) exist once, in the default context: PowerShell resolves type
    /// literals only there, and Core must build the very types scripts name.
    /// </summary>
    public sealed class DependencyLoadContext : AssemblyLoadContext
    {
        /// <summary>The one assembly the cmdlet assembly (in the default context) may resolve from here.</summary>
        public const string EngineAssemblyName = "EntraInboundProvisioning.Core";

        /// <summary>The module's public types: in the module root, loaded in the default context and shared with this one.</summary>
        public const string PublicTypesAssemblyName = "EntraInboundProvisioning.Contracts";

        private static readonly object Gate = new object();
        private static DependencyLoadContext? _instance;

        private readonly string _moduleDirectory;
        private readonly string _directory;
        private readonly Dictionary<string, string> _framework;

        private DependencyLoadContext(string moduleDirectory, string directory)
            : base("EntraInboundProvisioning", isCollectible: false)
        {
            _moduleDirectory = moduleDirectory;
            _directory = directory;
            _framework = FrameworkAssemblyNames();
        }

        /// <summary>Called once by the cmdlet assembly's module initializer with the module folder and its Dependencies folder.</summary>
        public static void Initialize(string moduleDirectory, string dependencyDirectory)
        {
            lock (Gate)
            {
                if (_instance is not null)
                {
                    return;
                }

                _instance = new DependencyLoadContext(moduleDirectory, dependencyDirectory);
                Default.Resolving += ResolveModuleAssembly;
            }
        }

        /// <inheritdoc />
        protected override Assembly? Load(AssemblyName assemblyName)
        {
            string name = assemblyName.Name ?? string.Empty;
            if (string.Equals(name, PublicTypesAssemblyName, StringComparison.Ordinal))
            {
                // Never a private copy: a BulkRequest built here must be the [EntraInboundProvisioning.Scim.BulkRequest] of scripts.
                return Default.LoadFromAssemblyName(assemblyName);
            }

            if (_framework.TryGetValue(name, out string? frameworkPath)
                && (assemblyName.Version is null || AssemblyName.GetAssemblyName(frameworkPath).Version >= assemblyName.Version))
            {
                // The runtime's copy is as new as ours (System.Text.Json on PowerShell 7.6): share it.
                return null;
            }

            string path = Path.Combine(_directory, name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }

        private static Assembly? ResolveModuleAssembly(AssemblyLoadContext context, AssemblyName name)
        {
            if (string.Equals(name.Name, EngineAssemblyName, StringComparison.Ordinal))
            {
                return _instance!.LoadFromAssemblyName(name);
            }

            if (string.Equals(name.Name, PublicTypesAssemblyName, StringComparison.Ordinal))
            {
                string path = Path.Combine(_instance!._moduleDirectory, PublicTypesAssemblyName + ".dll");
                return File.Exists(path) ? Default.LoadFromAssemblyPath(path) : null;
            }

            return null;
        }

        private static Dictionary<string, string> FrameworkAssemblyNames()
        {
            var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            string trusted = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty;
            foreach (string path in trusted.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                names[Path.GetFileNameWithoutExtension(path)] = path;
            }

            return names;
        }
    }
}
