using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.PowerShell.Records;
using EntraInboundProvisioning.Sources;

namespace EntraInboundProvisioning.PowerShell.Mapping
{
    /// <summary>A mapping that cannot be read at all (missing file, syntax errors).</summary>
    public sealed class AttributeMappingException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public AttributeMappingException(string message)
            : base(message)
        {
        }

        /// <summary>Creates the exception.</summary>
        public AttributeMappingException(string message, Exception inner)
            : base(message, inner)
        {
        }

        /// <summary>Creates the exception.</summary>
        public AttributeMappingException()
        {
        }
    }

    /// <summary>
    /// Builds Core's mapping tree from what PowerShell users write: a hashtable, or a .psd1 file in the
    /// CSV2SCIM AttributeMapping.psd1 format. The file is parsed, never run; values that are not a mapping form
    /// become findings that name the file and line.
    /// </summary>
    internal sealed class AttributeMappingReader
    {
        private readonly Func<ScriptBlock, IRecord, object?> _invoke;
        private readonly List<MappingFinding> _findings = new List<MappingFinding>();
        private string? _source;

        /// <param name="invoke">Runs a scriptblock with <c>$_</c> bound to the record (on the pipeline thread).</param>
        public AttributeMappingReader(Func<ScriptBlock, IRecord, object?> invoke)
        {
            _invoke = invoke;
        }

        /// <summary>Problems found while reading (unsupported value types), as errors.</summary>
        public IReadOnlyList<MappingFinding> Findings => _findings;

        /// <summary>Reads a hashtable (or any dictionary).</summary>
        public AttributeMapping FromDictionary(IDictionary dictionary, string? source = null)
        {
            _source = source;
            return new AttributeMapping(ReadDictionary(dictionary, string.Empty), source);
        }

        /// <summary>Parses a .psd1 file without running it.</summary>
        /// <exception cref="AttributeMappingException">The file is missing or is not a PowerShell data file holding one hashtable.</exception>
        public AttributeMapping FromFile(string path)
        {
            if (!File.Exists(path))
            {
                throw new AttributeMappingException($"The attribute mapping file '{path}' does not exist.");
            }

            _source = path;
            ScriptBlockAst ast = Parser.ParseFile(path, out _, out ParseError[] errors);
            if (errors.Length > 0)
            {
                string list = string.Join(Environment.NewLine, errors.Take(5).Select(e => $"  line {e.Extent.StartLineNumber}, column {e.Extent.StartColumnNumber}: {e.Message}"));
                throw new AttributeMappingException($"The attribute mapping file '{path}' has syntax errors:{Environment.NewLine}{list}");
            }

            HashtableAst? table = null;
            if (ast.EndBlock is not null && ast.EndBlock.Statements.Count == 1
                && ast.EndBlock.Statements[0] is PipelineAst pipeline && pipeline.PipelineElements.Count == 1
                && pipeline.PipelineElements[0] is CommandExpressionAst command)
            {
                table = command.Expression as HashtableAst;
            }

            if (table is null || ast.ParamBlock is not null || ast.BeginBlock is not null || ast.ProcessBlock is not null)
            {
                throw new AttributeMappingException($"The attribute mapping file '{path}' must contain exactly one hashtable, @{{ ... }}, as AttributeMapping.psd1 files do.");
            }

            return new AttributeMapping(ReadHashtableAst(table, string.Empty), path);
        }

        private IEnumerable<MappingNode> ReadHashtableAst(HashtableAst table, string parent)
        {
            foreach (Tuple<ExpressionAst, StatementAst> pair in table.KeyValuePairs)
            {
                if (pair.Item1 is not StringConstantExpressionAst key)
                {
                    Find(Join(parent, pair.Item1.Extent.Text), $"line {pair.Item1.Extent.StartLineNumber}: a mapping key must be a name or a quoted string, not '{pair.Item1.Extent.Text}'.");
                    continue;
                }

                MappingNode? node = ReadValueAst(key.Value, pair.Item2, Join(parent, key.Value));
                if (node is not null)
                {
                    yield return node;
                }
            }
        }

        private MappingNode? ReadValueAst(string name, StatementAst statement, string path)
        {
            ExpressionAst? expression = statement is PipelineAst p && p.PipelineElements.Count == 1 && p.PipelineElements[0] is CommandExpressionAst c ? c.Expression : null;
            switch (expression)
            {
                case StringConstantExpressionAst s:
                    return MappingNode.ForColumn(name, s.Value);
                case ScriptBlockExpressionAst sb:
                    return MappingNode.ForComputed(name, Computed(sb.ScriptBlock.GetScriptBlock()));
                case HashtableAst h:
                    return MappingNode.ForComplex(name, ReadHashtableAst(h, path));
                case ArrayExpressionAst array:
                    return MappingNode.ForMultiValued(name, ReadItems(array.SubExpression.Statements.SelectMany(Elements), path));
                case ArrayLiteralAst literal:
                    return MappingNode.ForMultiValued(name, ReadItems(literal.Elements, path));
                case ConstantExpressionAst constant:
                    return MappingNode.ForConstant(name, constant.Value);
                case VariableExpressionAst v when IsConstantVariable(v.VariablePath.UserPath):
                    string variable = v.VariablePath.UserPath.ToUpperInvariant();
                    return MappingNode.ForConstant(name, variable == "TRUE" ? true : variable == "FALSE" ? (object)false : null);
                default:
                    Find(path, $"line {statement.Extent.StartLineNumber}: '{statement.Extent.Text}' is not a mapping value. Use a column name in quotes, a scriptblock {{ ... }}, a hashtable @{{ ... }} or an array of hashtables @( @{{ ... }} ).");
                    return null;
            }
        }

        private static bool IsConstantVariable(string name)
            => string.Equals(name, "true", StringComparison.OrdinalIgnoreCase) || string.Equals(name, "false", StringComparison.OrdinalIgnoreCase) || string.Equals(name, "null", StringComparison.OrdinalIgnoreCase);

        private static IEnumerable<Ast> Elements(StatementAst statement)
        {
            if (statement is PipelineAst p && p.PipelineElements.Count == 1 && p.PipelineElements[0] is CommandExpressionAst c)
            {
                if (c.Expression is ArrayLiteralAst literal)
                {
                    return literal.Elements;
                }

                return new[] { c.Expression };
            }

            return new Ast[] { statement };
        }

        private IEnumerable<MappingNode> ReadItems(IEnumerable<Ast> elements, string path)
        {
            int index = 0;
            foreach (Ast element in elements)
            {
                string itemPath = $"{path}[{index++}]";
                switch (element)
                {
                    case HashtableAst h:
                        yield return MappingNode.ForComplex(string.Empty, ReadHashtableAst(h, itemPath));
                        break;
                    case ScriptBlockExpressionAst sb:
                        yield return MappingNode.ForComputed(string.Empty, Computed(sb.ScriptBlock.GetScriptBlock()));
                        break;
                    default:
                        Find(itemPath, $"line {element.Extent.StartLineNumber}: each item of a multi-valued attribute must be a hashtable @{{ ... }}, not '{element.Extent.Text}'.");
                        break;
                }
            }
        }

        private IEnumerable<MappingNode> ReadDictionary(IDictionary dictionary, string parent)
        {
            foreach (DictionaryEntry entry in dictionary)
            {
                string name = Convert.ToString(PSObjectRecord.Unwrap(entry.Key), CultureInfo.InvariantCulture) ?? string.Empty;
                MappingNode? node = ReadValue(name, PSObjectRecord.Unwrap(entry.Value), Join(parent, name));
                if (node is not null)
                {
                    yield return node;
                }
            }
        }

        private MappingNode? ReadValue(string name, object? value, string path)
        {
            switch (value)
            {
                case string column:
                    return MappingNode.ForColumn(name, column);
                case ScriptBlock scriptBlock:
                    return MappingNode.ForComputed(name, Computed(scriptBlock));
                case IDictionary dictionary:
                    return MappingNode.ForComplex(name, ReadDictionary(dictionary, path));
                case IEnumerable sequence:
                    var items = new List<MappingNode>();
                    int index = 0;
                    foreach (object? item in sequence)
                    {
                        string itemPath = $"{path}[{index++}]";
                        switch (PSObjectRecord.Unwrap(item))
                        {
                            case IDictionary d:
                                items.Add(MappingNode.ForComplex(string.Empty, ReadDictionary(d, itemPath)));
                                break;
                            case ScriptBlock sb:
                                items.Add(MappingNode.ForComputed(string.Empty, Computed(sb)));
                                break;
                            default:
                                Find(itemPath, $"each item of a multi-valued attribute must be a hashtable, not '{item}'.");
                                break;
                        }
                    }

                    return MappingNode.ForMultiValued(name, items);
                case null:
                case bool:
                case sbyte or byte or short or ushort or int or uint or long or ulong or float or double or decimal:
                    return MappingNode.ForConstant(name, value);
                default:
                    Find(path, $"a value of type [{value.GetType().FullName}] is not a mapping value. Use a column name, a scriptblock, a hashtable or an array of hashtables.");
                    return null;
            }
        }

        /// <summary>
        /// The scriptblock a mapping means. Import-PowerShellDataFile returns each scriptblock of a .psd1 wrapped in one
        /// whose only statement is the scriptblock literal, so running it yields the inner block, which PowerShell then
        /// turns into its source text: the mapping would send " $_.FirstName " as a value. Such a wrapper is unwrapped;
        /// nothing else is written that way.
        /// </summary>
        internal static ScriptBlock Unwrap(ScriptBlock scriptBlock)
        {
            while (scriptBlock.Ast is ScriptBlockAst { ParamBlock: null, BeginBlock: null, ProcessBlock: null, DynamicParamBlock: null, EndBlock: { Traps: null or { Count: 0 } } end }
                && end.Statements.Count == 1
                && end.Statements[0] is PipelineAst pipeline
                && pipeline.PipelineElements.Count == 1
                && pipeline.PipelineElements[0] is CommandExpressionAst { Redirections.Count: 0, Expression: ScriptBlockExpressionAst inner })
            {
                scriptBlock = inner.ScriptBlock.GetScriptBlock();
            }

            return scriptBlock;
        }

        private ComputedValue Computed(ScriptBlock scriptBlock)
        {
            scriptBlock = Unwrap(scriptBlock);
            MappingExpression? expression = scriptBlock.Ast is ScriptBlockAst ast ? ScriptBlockTranslator.Translate(ast) : null;
            string text = "{" + scriptBlock.ToString() + "}";
            return new ComputedValue(text, record => _invoke(scriptBlock, record), expression);
        }

        private void Find(string path, string message)
            => _findings.Add(new MappingFinding(FindingSeverity.Error, "UnsupportedMappingValue", path, _source is null ? message : $"'{_source}', {message}", _source));

        private static string Join(string parent, string name) => parent.Length == 0 ? name : $"{parent}.{name}";
    }

    /// <summary>Runs mapping scriptblocks with <c>$_</c> bound, and turns their output into plain values for Core.</summary>
    internal sealed class ScriptBlockEvaluator
    {
        private readonly DollarUnderbarCache _dollarUnderbar = new DollarUnderbarCache();
        private readonly List<PSVariable> _variables = new List<PSVariable>(1);

        public object? Invoke(ScriptBlock scriptBlock, IRecord record)
        {
            _variables.Clear();
            _variables.Add(new PSVariable("_", _dollarUnderbar.For(record)));
            Collection<PSObject> output;
            try
            {
                output = scriptBlock.InvokeWithContext(null, _variables);
            }
            catch (RuntimeException ex)
            {
                // Surface the script's own message ('throw "x"' or a failed conversion), not the wrapper's.
                throw new InvalidOperationException(ex.ErrorRecord?.Exception?.Message ?? ex.Message, ex);
            }

            return output.Count switch
            {
                0 => null,
                1 => Plain(output[0]),
                _ => output.Select(Plain).ToArray(),
            };
        }

        /// <summary>Unwraps PSObjects recursively so Core sees strings, numbers, dictionaries and arrays.</summary>
        internal static object? Plain(object? value)
        {
            value = PSObjectRecord.Unwrap(value);
            switch (value)
            {
                case null:
                case string:
                    return value;
                case PSObject custom:
                    // A PSCustomObject becomes a dictionary of its properties.
                    var properties = new Hashtable(StringComparer.OrdinalIgnoreCase);
                    foreach (PSPropertyInfo property in custom.Properties)
                    {
                        properties[property.Name] = Plain(property.Value);
                    }

                    return properties;
                case IDictionary dictionary:
                    var copy = new Hashtable(StringComparer.OrdinalIgnoreCase);
                    foreach (DictionaryEntry entry in dictionary)
                    {
                        copy[Convert.ToString(PSObjectRecord.Unwrap(entry.Key), CultureInfo.InvariantCulture) ?? string.Empty] = Plain(entry.Value);
                    }

                    return copy;
                case IEnumerable sequence:
                    return sequence.Cast<object?>().Select(Plain).ToArray();
                default:
                    return value;
            }
        }
    }
}
