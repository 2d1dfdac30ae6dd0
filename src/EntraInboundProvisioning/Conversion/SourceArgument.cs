using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.PowerShell.Mapping;
using EntraInboundProvisioning.PowerShell.Records;
using EntraInboundProvisioning.Sources;

namespace EntraInboundProvisioning.PowerShell.Conversion
{
    /// <summary>
    /// One hashtable of ConvertTo-ScimBulkRequest -Source: its mapping, its files or objects, which records it takes
    /// (Where) and its name. Every key is checked, so a typo stops the command instead of reading everyone.
    /// </summary>
    internal sealed class SourceArgument
    {
        private static readonly string[] Keys = { "Name", "AttributeMapping", "Path", "LiteralPath", "InputObject", "Where" };

        private SourceArgument(AttributeMapping mapping, IReadOnlyList<MappingFinding> findings, string? name, Func<IRecord, bool>? where, List<string> files, object[]? objects)
        {
            Mapping = mapping;
            Findings = findings;
            Name = name;
            Where = where;
            Files = files;
            Objects = objects;
        }

        public AttributeMapping Mapping { get; }

        public IReadOnlyList<MappingFinding> Findings { get; }

        public string? Name { get; }

        public Func<IRecord, bool>? Where { get; }

        public List<string> Files { get; }

        public object[]? Objects { get; }

        /// <summary>Reads the hashtable at <paramref name="position"/> of -Source; a bad one stops the command.</summary>
        /// <param name="cmdlet">The cmdlet, for errors and paths.</param>
        /// <param name="table">The hashtable.</param>
        /// <param name="position">Its position in -Source.</param>
        /// <param name="evaluator">Runs Where and the mapping's scriptblocks.</param>
        /// <param name="missing">Told about each Path or LiteralPath that names no file.</param>
        public static SourceArgument Read(PSCmdlet cmdlet, Hashtable table, int position, ScriptBlockEvaluator evaluator, Action<string>? missing = null)
        {
            string where = $"-Source item {position + 1}";
            foreach (object key in table.Keys)
            {
                if (!Keys.Contains(key?.ToString(), StringComparer.OrdinalIgnoreCase))
                {
                    Fail(cmdlet, $"{where} has the key '{key}'; a source takes {string.Join(", ", Keys)}.", key);
                }
            }

            object? mappingValue = Value(table, "AttributeMapping");
            if (mappingValue is null)
            {
                Fail(cmdlet, $"{where} has no AttributeMapping: each source needs its own mapping (a hashtable or a .psd1 path).", table);
            }

            (AttributeMapping mapping, IReadOnlyList<MappingFinding> findings) = MappingArgument.Load(cmdlet, mappingValue!, evaluator);
            string? name = Value(table, "Name")?.ToString();

            object? path = Value(table, "Path");
            object? literalPath = Value(table, "LiteralPath");
            object? input = Value(table, "InputObject");
            int inputs = (path is null ? 0 : 1) + (literalPath is null ? 0 : 1) + (input is null ? 0 : 1);
            if (inputs != 1)
            {
                Fail(cmdlet, $"{where} ({name ?? mapping.Source ?? "inline mapping"}) needs exactly one of Path, LiteralPath or InputObject.", table);
            }

            var files = new List<string>();
            if (path is not null || literalPath is not null)
            {
                string[] paths = Strings(path ?? literalPath);
                files.AddRange(InputFiles.Resolve(cmdlet, paths, literal: literalPath is not null, missing));
            }

            object[]? objects = input is null ? null : (LanguagePrimitives.GetEnumerable(input) is IEnumerable items ? items.Cast<object>().ToArray() : new[] { input });

            Func<IRecord, bool>? filter = null;
            switch (Value(table, "Where"))
            {
                case null:
                    break;
                case ScriptBlock block:
                    filter = Filter(AttributeMappingReader.Unwrap(block), evaluator);
                    break;
                default:
                    Fail(cmdlet, $"{where}: Where must be a scriptblock, such as {{ $_.WorkerType -eq 'Contractor' }}.", table);
                    break;
            }

            return new SourceArgument(mapping, findings, name, filter, files, objects);
        }

        /// <summary>
        /// A Where scriptblock as a filter: compiled for the pure forms Core understands (a comparison of a column with a
        /// constant, -and, -or), run by PowerShell otherwise; true is what PowerShell would call true.
        /// </summary>
        private static Func<IRecord, bool> Filter(ScriptBlock block, ScriptBlockEvaluator evaluator)
        {
            MappingExpression? expression = block.Ast is ScriptBlockAst ast ? ScriptBlockTranslator.Translate(ast) : null;
            return record =>
            {
                object? result = expression is null ? MappingExpression.NotApplicable : expression.Evaluate(record);
                if (ReferenceEquals(result, MappingExpression.NotApplicable))
                {
                    result = evaluator.Invoke(block, record);
                }

                return result is bool b ? b : LanguagePrimitives.IsTrue(result);
            };
        }

        private static object? Value(Hashtable table, string key)
        {
            foreach (DictionaryEntry entry in table)
            {
                if (string.Equals(entry.Key?.ToString(), key, StringComparison.OrdinalIgnoreCase))
                {
                    return PSObjectRecord.Unwrap(entry.Value);
                }
            }

            return null;
        }

        private static string[] Strings(object? value)
            => LanguagePrimitives.GetEnumerable(value) is IEnumerable items && value is not string
                ? items.Cast<object>().Select(i => PSObjectRecord.Unwrap(i)?.ToString() ?? string.Empty).ToArray()
                : new[] { value?.ToString() ?? string.Empty };

        private static void Fail(PSCmdlet cmdlet, string message, object? target)
            => cmdlet.ThrowTerminatingError(new ErrorRecord(new PSArgumentException(message), "InvalidSource", ErrorCategory.InvalidArgument, target));
    }
}
