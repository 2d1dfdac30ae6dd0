using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.PowerShell.Mapping;
using EntraInboundProvisioning.PowerShell.Records;
using EntraInboundProvisioning.Scim;
using EntraInboundProvisioning.Sources;

namespace EntraInboundProvisioning.PowerShell.Conversion
{
    /// <summary>
    /// What ConvertTo-ScimBulkRequest was given to read before the pipeline: its sources (the mapping of
    /// -AttributeMapping, or each -Source with its files, objects and Where) and the named files that are not there.
    /// Mapping problems stop the command here, before a record is read.
    /// </summary>
    internal sealed class ConversionInputs
    {
        private readonly List<(string File, int Source)> _files = new List<(string File, int Source)>();
        private readonly List<(int Source, object[] Items)> _lists = new List<(int Source, object[] Items)>();

        private ConversionInputs()
        {
        }

        /// <summary>The sources, in the order given.</summary>
        public List<ConversionSource> Sources { get; } = new List<ConversionSource>();

        /// <summary>Paths a -Source names that are not there.</summary>
        public List<string> Missing { get; } = new List<string>();

        /// <summary>One source: the mapping of -AttributeMapping (or none, when the mapping comes from a file's columns).</summary>
        public static ConversionInputs FromMapping(PSCmdlet cmdlet, object? mapping, ScriptBlockEvaluator evaluator, bool allowMissingActive)
        {
            var inputs = new ConversionInputs();
            if (mapping is not null)
            {
                (AttributeMapping loaded, IReadOnlyList<MappingFinding> findings) = MappingArgument.Load(cmdlet, mapping, evaluator);
                inputs.Sources.Add(MappingArgument.Check(cmdlet, new ConversionSource(loaded), findings, allowMissingActive));
            }

            return inputs;
        }

        /// <summary>The sources of -Source, each checked; two of one name stop the command.</summary>
        public static ConversionInputs FromSources(PSCmdlet cmdlet, Hashtable[] tables, ScriptBlockEvaluator evaluator, bool allowMissingActive)
        {
            var inputs = new ConversionInputs();
            for (int i = 0; i < tables.Length; i++)
            {
                SourceArgument source = SourceArgument.Read(cmdlet, tables[i], i, evaluator, inputs.Missing.Add);
                var made = new ConversionSource(source.Mapping, source.Name, source.Where);
                if (made.Name is not null && inputs.Sources.FindIndex(s => string.Equals(s.Name, made.Name, StringComparison.OrdinalIgnoreCase)) is int same && same >= 0)
                {
                    // The state records each worker's source by name: two sources of one name would be one to it.
                    cmdlet.ThrowTerminatingError(new ErrorRecord(new PSArgumentException($"-Source items {same + 1} and {i + 1} are both named '{made.Name}'; each source needs its own name (names ignore case; without Name, the mapping file's name is used)."), "InvalidSource", ErrorCategory.InvalidArgument, tables[i]));
                }

                inputs.Sources.Add(MappingArgument.Check(cmdlet, made, source.Findings, allowMissingActive));
                inputs._files.AddRange(source.Files.Select(f => (f, i)));
                if (source.Objects is not null)
                {
                    inputs._lists.Add((i, source.Objects));
                }
            }

            return inputs;
        }

        /// <summary>
        /// Gives the run the sources' files and objects. Sources that read the same file share one reading of it, in the
        /// order the file first appears.
        /// </summary>
        public void AddTo(ConversionRun run)
        {
            foreach (IGrouping<string, (string File, int Source)> file in _files.GroupBy(f => f.File, StringComparer.Ordinal))
            {
                run.AddFile(file.Key, file.Select(f => f.Source).ToList());
            }

            foreach ((int source, object[] items) in _lists)
            {
                run.AddRecords(source, items.Select((item, n) => (IRecord)PSObjectRecord.Create(PSObject.AsPSObject(item), n + 1)).ToList());
            }
        }
    }
}
