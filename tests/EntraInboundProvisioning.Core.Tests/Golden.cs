using System;
using System.IO;
using System.Runtime.CompilerServices;
using Xunit;

namespace EntraInboundProvisioning.Tests
{
    /// <summary>
    /// Golden files under assets/golden. Set EIP_UPDATE_GOLDEN=1 to rewrite them from the current output,
    /// then review the diff before committing.
    /// </summary>
    internal static class Golden
    {
        public static void AssertMatches(string name, string actual, [CallerFilePath] string caller = "")
        {
            if (Environment.GetEnvironmentVariable("EIP_UPDATE_GOLDEN") == "1")
            {
                string root = FindProjectDirectory(Path.GetDirectoryName(caller)!);
                File.WriteAllText(Path.Combine(root, "assets", "golden", name), actual.Replace("\r\n", "\n", StringComparison.Ordinal) + "\n");
                return;
            }

            string expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "assets", "golden", name)).Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n');
            Assert.Equal(expected, actual.Replace("\r\n", "\n", StringComparison.Ordinal));
        }

        private static string FindProjectDirectory(string directory)
        {
            while (!File.Exists(Path.Combine(directory, "EntraInboundProvisioning.Core.Tests.csproj")))
            {
                directory = Path.GetDirectoryName(directory) ?? throw new InvalidOperationException("Test project directory not found.");
            }

            return directory;
        }
    }
}
