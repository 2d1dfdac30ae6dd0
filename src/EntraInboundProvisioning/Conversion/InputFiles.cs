using System.Collections.Generic;
using System.Management.Automation;

namespace EntraInboundProvisioning.PowerShell.Conversion
{
    /// <summary>Resolves -Path (wildcards) and -LiteralPath through the provider, as PowerShell's own file cmdlets do.</summary>
    internal static class InputFiles
    {
        /// <summary>Resolves paths to file-system paths; writes an error per path that does not resolve and goes on.</summary>
        public static List<string> Resolve(PSCmdlet cmdlet, string[]? paths, bool literal)
        {
            var result = new List<string>();
            foreach (string path in paths ?? System.Array.Empty<string>())
            {
                try
                {
                    if (literal)
                    {
                        string resolved = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out ProviderInfo provider, out _);
                        if (!IsFileSystem(cmdlet, provider, path))
                        {
                            continue;
                        }

                        if (!System.IO.File.Exists(resolved))
                        {
                            cmdlet.WriteError(new ErrorRecord(new ItemNotFoundException($"Cannot find the file '{resolved}' because it does not exist."), "InputFileNotFound", ErrorCategory.ObjectNotFound, path));
                            continue;
                        }

                        result.Add(resolved);
                    }
                    else
                    {
                        foreach (string resolved in cmdlet.GetResolvedProviderPathFromPSPath(path, out ProviderInfo provider))
                        {
                            if (IsFileSystem(cmdlet, provider, path))
                            {
                                result.Add(resolved);
                            }
                        }
                    }
                }
                catch (ItemNotFoundException ex)
                {
                    cmdlet.WriteError(new ErrorRecord(ex, "InputFileNotFound", ErrorCategory.ObjectNotFound, path));
                }
            }

            return result;
        }

        private static bool IsFileSystem(PSCmdlet cmdlet, ProviderInfo provider, string path)
        {
            if (provider.ImplementingType == typeof(Microsoft.PowerShell.Commands.FileSystemProvider))
            {
                return true;
            }

            cmdlet.WriteError(new ErrorRecord(new PSArgumentException($"'{path}' is not a file-system path."), "InputPathNotFileSystem", ErrorCategory.InvalidArgument, path));
            return false;
        }
    }
}
