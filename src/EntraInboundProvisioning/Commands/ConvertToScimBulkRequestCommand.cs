using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Threading;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.PowerShell.Conversion;
using EntraInboundProvisioning.PowerShell.Mapping;
using EntraInboundProvisioning.PowerShell.Records;
using EntraInboundProvisioning.Scim;
using EntraInboundProvisioning.Sources;

namespace EntraInboundProvisioning.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Converts worker records into SCIM bulk requests for API-driven inbound provisioning.</para>
    /// </summary>
    [Cmdlet(VerbsData.ConvertTo, "ScimBulkRequest", DefaultParameterSetName = InputObjectSet)]
    // Core types are named by string in attributes: PowerShell reads attributes while importing, before the
    // module initializer has pointed resolution at Dependencies/ (see ModuleInitializer).
    [OutputType("EntraInboundProvisioning.Scim.BulkRequest")]
    [OutputType(typeof(string), typeof(FileInfo))]
    public sealed class ConvertToScimBulkRequestCommand : PSCmdlet, IDisposable
    {
        private const string InputObjectSet = "InputObject";
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const int ProgressId = 1;

        private readonly CancellationTokenSource _cancellation = new CancellationTokenSource();
        private readonly ScriptBlockEvaluator _evaluator = new ScriptBlockEvaluator();
        private readonly Stopwatch _progressClock = new Stopwatch();
        private AttributeMapping? _mapping;
        private BulkRequestConverter? _converter;
        private ConversionOptions _options = new ConversionOptions();
        private string? _outDirectory;
        private long _pipelineNumber;
        private bool _columnsChecked;
        private bool _progressShown;

        // Boxed on purpose: PowerShell lays out every exported type while importing, before the module initializer
        // can route Core to Dependencies/, and a field of a Core value type would need Core right then.
        private object? _emptyValue;

        /// <summary>
        /// <para type="description">A worker record: an Import-Csv row, a PSCustomObject, a hashtable or dictionary, a DataRow from a SQL query.</para>
        /// </summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
        public PSObject? InputObject { get; set; }

        /// <summary><para type="description">CSV files to read (wildcards allowed).</para></summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Path { get; set; }

        /// <summary><para type="description">CSV files to read, taken exactly as written.</para></summary>
        [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[]? LiteralPath { get; set; }

        /// <summary><para type="description">The attribute mapping: a hashtable, or the path of a .psd1 file such as AttributeMapping.psd1.</para></summary>
        [Parameter(Position = 1)]
        [ValidateNotNull]
        public object? AttributeMapping { get; set; }

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

        /// <summary><para type="description">Sends every input column under this custom schema extension URN as well.</para></summary>
        [Parameter]
        [ValidatePattern(@"^urn:ietf:params:scim:schemas:extension:[A-Za-z0-9._-]+(:[A-Za-z0-9._-]+)*$")]
        public string? ScimSchemaNamespace { get; set; }

        /// <summary><para type="description">Operations per bulk request, 1 to 50. The default is 50, the most Graph accepts.</para></summary>
        [Parameter]
        [ValidateRange(1, BulkRequest.MaxOperations)]
        public int OperationsPerRequest { get; set; } = BulkRequest.MaxOperations;

        /// <summary><para type="description">What empty values become: Omit (the default) leaves them out; Null sends null to clear the attribute.</para></summary>
        [Parameter]
        public EmptyValueHandling EmptyValue
        {
            get => _emptyValue is EmptyValueHandling value ? value : EmptyValueHandling.Omit;
            set => _emptyValue = value;
        }

        /// <summary><para type="description">Converts only the records with these externalIds (for example failures to re-send).</para></summary>
        [Parameter]
        [ValidateNotNull]
        public string[]? ExternalId { get; set; }

        /// <summary><para type="description">Emits each bulk request as a JSON string instead of an object.</para></summary>
        [Parameter]
        public SwitchParameter AsJson { get; set; }

        /// <summary><para type="description">Writes one UTF-8 JSON file per bulk request into this folder and emits the files.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? OutDirectory { get; set; }

        /// <inheritdoc />
        protected override void BeginProcessing()
        {
            if (AsJson.IsPresent && OutDirectory is not null)
            {
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException("Use -AsJson or -OutDirectory, not both."), "AsJsonWithOutDirectory", ErrorCategory.InvalidArgument, null));
            }

            _options = new ConversionOptions
            {
                OperationsPerRequest = OperationsPerRequest,
                EmptyValue = EmptyValue,
                ScimSchemaNamespace = ScimSchemaNamespace,
                ExternalIdFilter = ExternalId is null ? null : new HashSet<string>(ExternalId.Where(e => !string.IsNullOrWhiteSpace(e)).Select(e => e.Trim()), StringComparer.OrdinalIgnoreCase),
            };

            if (OutDirectory is not null)
            {
                _outDirectory = SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutDirectory);
                Directory.CreateDirectory(_outDirectory);
            }

            if (AttributeMapping is not null)
            {
                (AttributeMapping mapping, IReadOnlyList<MappingFinding> findings) = MappingArgument.Load(this, AttributeMapping, _evaluator);
                UseMapping(mapping, findings, null);
            }

            _progressClock.Start();
        }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (ParameterSetName == InputObjectSet)
            {
                if (InputObject is null)
                {
                    return;
                }

                var record = PSObjectRecord.Create(InputObject, ++_pipelineNumber);
                if (!_columnsChecked)
                {
                    EnsureMapping(record.FieldNames, "the input objects");
                    _columnsChecked = true;
                }

                Convert(record);
                ShowProgress(null, 0);
                return;
            }

            foreach (string file in InputFiles.Resolve(this, ParameterSetName == PathSet ? Path : LiteralPath, ParameterSetName == LiteralPathSet))
            {
                ConvertFile(file);
            }
        }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            if (_converter is not null)
            {
                BulkRequest? last = _converter.Complete();
                if (last is not null)
                {
                    Emit(last);
                }

                WriteVerbose($"Converted {_converter.RecordsConverted} of {_converter.RecordsRead} record(s) into {_converter.RequestsCompleted} bulk request(s); {_converter.RecordsFailed} record(s) had errors{(_options.ExternalIdFilter is null ? string.Empty : $", {_converter.RecordsFiltered} were not in -ExternalId")}.");
                if (_options.ExternalIdFilter is not null && _converter.RecordsConverted < _options.ExternalIdFilter.Count)
                {
                    WriteWarning($"{_options.ExternalIdFilter.Count - _converter.RecordsConverted} of the {_options.ExternalIdFilter.Count} externalId(s) given with -ExternalId were not found in the input.");
                }
            }

            CompleteProgress();
        }

        /// <inheritdoc />
        protected override void StopProcessing() => _cancellation.Cancel();

        /// <inheritdoc />
        public void Dispose()
        {
            _converter?.Dispose();
            _cancellation.Dispose();
        }

        private void ConvertFile(string file)
        {
            CsvRecordReader reader;
            try
            {
                reader = new CsvRecordReader(file, new CsvReadOptions { Delimiter = Delimiter.ToString(), Encoding = Encoding ?? new UTF8Encoding(false) });
            }
            catch (Exception ex) when (ex is CsvFormatException or IOException or UnauthorizedAccessException)
            {
                WriteError(new ErrorRecord(ex, "InputFileUnreadable", ErrorCategory.ReadError, file));
                return;
            }

            using (reader)
            {
                EnsureMapping(reader.Header.Names, $"'{file}'");
                try
                {
                    foreach (CsvRecord record in reader.ReadRecords(ReportRow, _cancellation.Token))
                    {
                        Convert(record);
                        ShowProgress(reader, record.Number);
                    }
                }
                catch (OperationCanceledException)
                {
                    // Ctrl+C: stop reading; the pipeline is being torn down.
                }
                catch (Exception ex) when (ex is IOException or CsvFormatException)
                {
                    WriteError(new ErrorRecord(ex, "InputFileUnreadable", ErrorCategory.ReadError, file));
                }
            }
        }

        private void ReportRow(CsvRowProblem problem)
            => WriteError(new ErrorRecord(new InvalidDataException(problem.Message), "CsvRowMalformed", ErrorCategory.InvalidData, problem));

        private void Convert(IRecord record)
        {
            BulkRequest? request = _converter!.Add(record);
            if (request is not null)
            {
                Emit(request);
            }
        }

        /// <summary>Creates the mapping from same-named columns when none was given, and checks the columns the mapping reads.</summary>
        private void EnsureMapping(IReadOnlyList<string> columns, string where)
        {
            if (_mapping is null)
            {
                AttributeMapping mapping = EntraInboundProvisioning.Mapping.AttributeMapping.FromSameNamedColumns(columns);
                if (mapping.Find("externalId") is null)
                {
                    ThrowTerminatingError(new ErrorRecord(
                        new PSArgumentException($"No -AttributeMapping was given and {where} have no column named externalId. Give a mapping, for example -AttributeMapping @{{ externalId = 'WorkerID'; userName = 'UPN' }}. Available columns: {string.Join(", ", columns)}."),
                        "ExternalIdNotMapped",
                        ErrorCategory.InvalidArgument,
                        null));
                }

                WriteVerbose($"No -AttributeMapping given: mapping same-named columns {string.Join(", ", mapping.Entries.Select(e => e.Name))}.");
                UseMapping(mapping, Array.Empty<MappingFinding>(), null);
            }

            var available = new HashSet<string>(columns, StringComparer.OrdinalIgnoreCase);
            foreach ((string attribute, string column) in MappingValidator.ColumnLeaves(_mapping!))
            {
                if (!available.Contains(column))
                {
                    ThrowTerminatingError(new ErrorRecord(
                        new PSArgumentException($"The mapping maps '{attribute}' to the column '{column}', but {where} have no such column. Available columns: {string.Join(", ", columns)}."),
                        "MappedColumnNotFound",
                        ErrorCategory.InvalidData,
                        column));
                }
            }
        }

        private void UseMapping(AttributeMapping mapping, IReadOnlyList<MappingFinding> readFindings, IReadOnlyCollection<string>? columns)
        {
            List<MappingFinding> findings = readFindings.Concat(MappingValidator.Validate(mapping, columns)).ToList();
            foreach (MappingFinding warning in findings.Where(f => f.Severity == FindingSeverity.Warning))
            {
                WriteWarning($"{warning.Attribute}: {warning.Message}");
            }

            List<MappingFinding> errors = findings.Where(f => f.Severity == FindingSeverity.Error).ToList();
            if (errors.Count > 0)
            {
                string where = mapping.Source is null ? "The attribute mapping" : $"The attribute mapping '{mapping.Source}'";
                string list = string.Join(Environment.NewLine, errors.Select(e => $"  {e.Attribute}: {e.Message}"));
                ThrowTerminatingError(new ErrorRecord(
                    new PSArgumentException($"{where} has {errors.Count} error(s); run Test-ScimAttributeMapping for details:{Environment.NewLine}{list}"),
                    "InvalidAttributeMapping",
                    ErrorCategory.InvalidArgument,
                    errors));
            }

            _mapping = mapping;
            try
            {
                _converter = new BulkRequestConverter(mapping, _options, Report);
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "InvalidScimSchemaNamespace", ErrorCategory.InvalidArgument, ScimSchemaNamespace));
            }
        }

        private void Report(ConversionDiagnostic diagnostic)
        {
            if (diagnostic.Severity == DiagnosticSeverity.Warning)
            {
                WriteWarning(diagnostic.Message);
                return;
            }

            WriteError(new ErrorRecord(new InvalidDataException(diagnostic.Message, diagnostic.Exception), diagnostic.ErrorId, ErrorCategory.InvalidData, diagnostic));
        }

        private void Emit(BulkRequest request)
        {
            if (_outDirectory is not null)
            {
                string file = System.IO.Path.Combine(_outDirectory, $"ScimBulkRequest-{request.Index:D4}.json");
                File.WriteAllText(file, request.Json, new UTF8Encoding(false));
                WriteObject(new FileInfo(file));
            }
            else if (AsJson.IsPresent)
            {
                WriteObject(request.Json);
            }
            else
            {
                WriteObject(request);
            }
        }

        private void ShowProgress(CsvRecordReader? reader, long row)
        {
            // Checking the clock every record is cheap; writing progress is not, so at most five times a second.
            if (_progressClock.ElapsedMilliseconds < 200)
            {
                return;
            }

            _progressClock.Restart();
            _progressShown = true;
            var progress = new ProgressRecord(ProgressId, "Converting records to SCIM bulk requests", $"{_converter!.RecordsRead:N0} record(s) read, {_converter.RequestsCompleted:N0} request(s), {_converter.RecordsFailed:N0} error(s)");
            if (reader is not null)
            {
                progress.CurrentOperation = $"{reader.Source}, row {row:N0}";
                double? done = reader.Fraction;
                if (done is not null)
                {
                    progress.PercentComplete = (int)Math.Min(99, done.Value * 100);
                }
            }

            WriteProgress(progress);
        }

        private void CompleteProgress()
        {
            if (_progressShown)
            {
                WriteProgress(new ProgressRecord(ProgressId, "Converting records to SCIM bulk requests", "Done") { RecordType = ProgressRecordType.Completed });
            }
        }
    }
}
