using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.PowerShell.Conversion;
using EntraInboundProvisioning.PowerShell.Mapping;
using EntraInboundProvisioning.PowerShell.Records;
using EntraInboundProvisioning.Sources;

namespace EntraInboundProvisioning.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Validates an attribute mapping against the SCIM User schemas and, when given, the input's columns.</para>
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "ScimAttributeMapping", DefaultParameterSetName = MappingOnlySet)]
    [OutputType(typeof(MappingFinding))]
    [OutputType(typeof(bool))]
    public sealed class TestScimAttributeMappingCommand : PSCmdlet
    {
        private const string MappingOnlySet = "MappingOnly";
        private const string InputObjectSet = "InputObject";
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";

        private readonly ColumnSet _columns = new ColumnSet();
        private readonly List<MappingFinding> _fileFindings = new List<MappingFinding>();
        private bool _sawInput;

        /// <summary><para type="description">The attribute mapping: a hashtable, or the path of a .psd1 file.</para></summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNull]
        public object? AttributeMapping { get; set; }

        /// <summary><para type="description">CSV files whose header must hold every mapped column (wildcards allowed).</para></summary>
        [Parameter(Mandatory = true, Position = 1, ParameterSetName = PathSet)]
        [SupportsWildcards]
        public string[]? Path { get; set; }

        /// <summary><para type="description">CSV files whose header must hold every mapped column, taken exactly as written.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "LP")]
        public string[]? LiteralPath { get; set; }

        /// <summary><para type="description">Sample records whose properties must include every mapped column.</para></summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
        public PSObject? InputObject { get; set; }

        /// <summary><para type="description">The CSV field delimiter. The default is a comma.</para></summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        public char Delimiter { get; set; } = ',';

        /// <summary><para type="description">The encoding of CSV files without a byte order mark. The default is UTF-8.</para></summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        [EncodingTransformation]
        [ArgumentCompleter(typeof(EncodingCompleter))]
        public Encoding? Encoding { get; set; }

        /// <summary><para type="description">Accepts a mapping without active. Only for provisioning apps whose attribute mappings do not use active: the service disables the account of a record without active.</para></summary>
        [Parameter]
        public SwitchParameter AllowMissingActive { get; set; }

        /// <summary><para type="description">Returns only $true when the mapping has no errors, $false otherwise.</para></summary>
        [Parameter]
        public SwitchParameter Quiet { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (ParameterSetName == InputObjectSet)
            {
                if (InputObject is not null)
                {
                    _sawInput = true;
                    _columns.Add(PSObjectRecord.Create(InputObject, 0).FieldNames);
                }

                return;
            }

            if (ParameterSetName == MappingOnlySet)
            {
                return;
            }

            foreach (string file in InputFiles.Resolve(this, ParameterSetName == PathSet ? Path : LiteralPath, ParameterSetName == LiteralPathSet))
            {
                try
                {
                    _columns.Add(InputFiles.ReadHeader(file, Delimiter, Encoding));
                    _sawInput = true;
                }
                catch (Exception ex) when (InputFiles.IsUnreadable(ex))
                {
                    _fileFindings.Add(new MappingFinding(FindingSeverity.Error, "InputFileUnreadable", string.Empty, ex.Message, null));
                }
            }
        }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            (AttributeMapping mapping, IReadOnlyList<MappingFinding> readFindings) = MappingArgument.Load(this, AttributeMapping!, new ScriptBlockEvaluator());
            IReadOnlyCollection<string>? columns = _sawInput ? (IReadOnlyCollection<string>)_columns.Names : null;
            List<MappingFinding> findings = readFindings.Concat(MappingValidator.Validate(mapping, columns, AllowMissingActive.IsPresent)).Concat(_fileFindings).ToList();
            if (Quiet.IsPresent)
            {
                WriteObject(findings.All(f => f.Severity != FindingSeverity.Error));
                return;
            }

            foreach (MappingFinding finding in findings)
            {
                WriteObject(finding);
            }

            WriteVerbose(findings.Count == 0 ? "The mapping has no findings." : $"{findings.Count(f => f.Severity == FindingSeverity.Error)} error(s), {findings.Count(f => f.Severity == FindingSeverity.Warning)} warning(s).");
        }
    }
}
