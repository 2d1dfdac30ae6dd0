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
    /// come from the runtime; the only assembly handed to the default context is the engine, Core.
    /// </summary>
    public sealed class DependencyLoadContext : AssemblyLoadContext
    {
        /// <summary>The one assembly the cmdlet assembly (in the default context) may resolve from here.</summary>
        public const string EngineAssemblyName = "EntraInboundProvisioning.Core";

        private static readonly object Gate = new object();
        private static DependencyLoadContext? _instance;

        private readonly string _directory;
        private readonly Dictionary<string, string> _framework;

        private DependencyLoadContext(string directory)
            : base("EntraInboundProvisioning", isCollectible: false)
        {
            _directory = directory;
            _framework = FrameworkAssemblyNames();
        }

        /// <summary>Called once by the cmdlet assembly's module initializer with the Dependencies folder.</summary>
        public static void Initialize(string dependencyDirectory)
        {
            lock (Gate)
            {
                if (_instance is not null)
                {
                    return;
                }

                _instance = new DependencyLoadContext(dependencyDirectory);
                Default.Resolving += ResolveEngine;
            }
        }

        /// <inheritdoc />
        protected override Assembly? Load(AssemblyName assemblyName)
        {
            string name = assemblyName.Name ?? string.Empty;
            if (_framework.TryGetValue(name, out string? frameworkPath)
                && (assemblyName.Version is null || AssemblyName.GetAssemblyName(frameworkPath).Version >= assemblyName.Version))
            {
                // The runtime's copy is as new as ours (System.Text.Json on PowerShell 7.6): share it.
                return null;
            }

            string path = Path.Combine(_directory, name + ".dll");
            return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
        }

        private static Assembly? ResolveEngine(AssemblyLoadContext context, AssemblyName name)
            => string.Equals(name.Name, EngineAssemblyName, StringComparison.Ordinal) ? _instance!.LoadFromAssemblyName(name) : null;

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
