using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Text;
using EntraInboundProvisioning.Sources;

namespace EntraInboundProvisioning.PowerShell.Conversion
{
    /// <summary>Column names collected from several inputs: first spelling kept, duplicates (ignoring case) dropped.</summary>
    internal sealed class ColumnSet
    {
        private readonly HashSet<string> _seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private readonly List<string> _names = new List<string>();

        public IReadOnlyList<string> Names => _names;

        public void Add(IEnumerable<string> names)
        {
            foreach (string name in names)
            {
                if (_seen.Add(name))
                {
                    _names.Add(name);
                }
            }
        }
    }

    /// <summary>Resolves -Path (wildcards) and -LiteralPath through the provider, as PowerShell's own file cmdlets do.</summary>
    internal static class InputFiles
    {
        /// <summary>
        /// Resolves paths to file-system paths; writes an error per path that does not resolve, or wildcard that matches
        /// no file, tells <paramref name="missing"/> about it and goes on.
        /// </summary>
        public static List<string> Resolve(PSCmdlet cmdlet, string[]? paths, bool literal, Action<string>? missing = null)
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
                            missing?.Invoke(path);
                            continue;
                        }

                        result.Add(resolved);
                    }
                    else
                    {
                        var found = cmdlet.GetResolvedProviderPathFromPSPath(path, out ProviderInfo provider);
                        foreach (string resolved in found)
                        {
                            if (IsFileSystem(cmdlet, provider, path))
                            {
                                result.Add(resolved);
                            }
                        }

                        if (found.Count == 0)
                        {
                            // PowerShell's file cmdlets say nothing when a wildcard matches nothing; an export that did
                            // not arrive must not pass unnoticed.
                            cmdlet.WriteError(new ErrorRecord(new ItemNotFoundException($"No file matches '{path}'."), "InputFileNotFound", ErrorCategory.ObjectNotFound, path));
                            missing?.Invoke(path);
                        }
                    }
                }
                catch (ItemNotFoundException ex)
                {
                    cmdlet.WriteError(new ErrorRecord(ex, "InputFileNotFound", ErrorCategory.ObjectNotFound, path));
                    missing?.Invoke(path);
                }
            }

            return result;
        }

        /// <summary>The column names of a CSV file (its header row); throws what CsvRecordReader throws for unreadable files.</summary>
        public static IReadOnlyList<string> ReadHeader(string file, char delimiter, Encoding? encoding)
        {
            using var reader = new CsvRecordReader(file, new CsvReadOptions { Delimiter = delimiter.ToString(), Encoding = encoding ?? new UTF8Encoding(false) });
            return reader.Header.Names;
        }

        /// <summary>True for the exceptions that mean a file could not be read (as opposed to a bug).</summary>
        public static bool IsUnreadable(Exception ex) => ex is CsvFormatException or System.IO.IOException or UnauthorizedAccessException;

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
