using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.PowerShell.Conversion;
using EntraInboundProvisioning.PowerShell.Records;
using EntraInboundProvisioning.Sources;

namespace EntraInboundProvisioning.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Writes a starting attribute mapping (.psd1) from the columns of a CSV file or sample records.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.New, "ScimAttributeMapping", DefaultParameterSetName = PathSet, SupportsShouldProcess = true)]
    [OutputType(typeof(string), typeof(FileInfo))]
    public sealed class NewScimAttributeMappingCommand : PSCmdlet
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const string InputObjectSet = "InputObject";

        private readonly ColumnSet _columns = new ColumnSet();
        private string? _sourceName;

        /// <summary><para type="description">The CSV file whose header row names the columns.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Path { get; set; }

        /// <summary><para type="description">The CSV file whose header row names the columns, taken exactly as written.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[]? LiteralPath { get; set; }

        /// <summary><para type="description">Sample records (from any source); their property names are the columns.</para></summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
        public PSObject? InputObject { get; set; }

        /// <summary><para type="description">Writes the mapping to this .psd1 file instead of emitting its text.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? OutFile { get; set; }

        /// <summary><para type="description">Puts the columns no rule placed under this custom schema extension instead of leaving them as comments.</para></summary>
        [Parameter]
        [ValidatePattern(@"^urn:ietf:params:scim:schemas:extension:[A-Za-z0-9._-]+(:[A-Za-z0-9._-]+)*$")]
        public string? ScimSchemaNamespace { get; set; }

        /// <summary><para type="description">The CSV field delimiter. The default is a comma.</para></summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        public char Delimiter { get; set; } = ',';

        /// <summary><para type="description">The encoding of a CSV file without a byte order mark. The default is UTF-8.</para></summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        [EncodingTransformation]
        [ArgumentCompleter(typeof(EncodingCompleter))]
        public Encoding? Encoding { get; set; }

        /// <summary><para type="description">Overwrites an existing -OutFile.</para></summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (ParameterSetName == InputObjectSet)
            {
                if (InputObject is not null)
                {
                    _sourceName ??= "sample records";
                    _columns.Add(PSObjectRecord.Create(InputObject, 0).FieldNames);
                }

                return;
            }

            foreach (string file in InputFiles.Resolve(this, ParameterSetName == PathSet ? Path : LiteralPath, ParameterSetName == LiteralPathSet))
            {
                try
                {
                    _columns.Add(InputFiles.ReadHeader(file, Delimiter, Encoding));
                    _sourceName ??= System.IO.Path.GetFileName(file);
                }
                catch (Exception ex) when (InputFiles.IsUnreadable(ex))
                {
                    WriteError(new ErrorRecord(ex, "InputFileUnreadable", ErrorCategory.ReadError, file));
                }
            }
        }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            if (_columns.Names.Count == 0)
            {
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException("No columns were found to map."), "NoColumns", ErrorCategory.InvalidData, null));
            }

            MappingSuggestion suggestion = MappingSuggestion.FromColumns(_columns.Names);
            if (!suggestion.HasExternalId)
            {
                WriteWarning($"No column looked like a worker id ({string.Join(", ", _columns.Names.Take(8))}{(_columns.Names.Count > 8 ? ", ..." : string.Empty)}); edit the externalId line of the mapping before using it.");
            }

            if (!suggestion.HasActive)
            {
                WriteWarning("No column looked like a worker status, so the mapping has no active line yet. Add one before using it: the provisioning service disables the account of a record without active.");
            }

            WriteVerbose($"Mapped {suggestion.Columns.Count - suggestion.Unmatched.Count} of {suggestion.Columns.Count} column(s); left as comments: {string.Join(", ", suggestion.Unmatched)}.");
            string text = suggestion.ToPsd1(_sourceName, ScimSchemaNamespace);
            if (OutFile is null)
            {
                WriteObject(text);
                return;
            }

            string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutFile);
            if (File.Exists(path) && !Force.IsPresent)
            {
                ThrowTerminatingError(new ErrorRecord(new IOException($"'{path}' already exists; use -Force to overwrite it."), "OutFileExists", ErrorCategory.ResourceExists, path));
            }

            if (ShouldProcess(path, "Write attribute mapping"))
            {
                // UTF-8 with BOM: Windows PowerShell 5.1 reads .psd1 files without a BOM as ANSI.
                File.WriteAllText(path, text, new UTF8Encoding(true));
                WriteObject(new FileInfo(path));
            }
        }
    }
}
