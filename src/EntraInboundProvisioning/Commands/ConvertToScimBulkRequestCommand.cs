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
using EntraInboundProvisioning.PowerShell.Session;
using EntraInboundProvisioning.Scim;
using EntraInboundProvisioning.Sources;

namespace EntraInboundProvisioning.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Converts worker records into SCIM bulk requests for API-driven inbound provisioning.</para>
    /// </summary>
    [Cmdlet(VerbsData.ConvertTo, "ScimBulkRequest", DefaultParameterSetName = InputObjectSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    // Core types are named by string in attributes: PowerShell reads attributes while importing, before the
    // module initializer has pointed resolution at Dependencies/ (see ModuleInitializer).
    [OutputType(typeof(BulkRequest))]
    [OutputType(typeof(string), typeof(FileInfo))]
    [OutputType(typeof(EntraInboundProvisioning.State.ConversionSummary))]
    public sealed class ConvertToScimBulkRequestCommand : ProvisioningCmdlet
    {
        private const string InputObjectSet = "InputObject";
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const string SourceSet = "Source";
        private const int ProgressId = 1;
        private static readonly int[] OnlySource = { 0 };

        private readonly ScriptBlockEvaluator _evaluator = new ScriptBlockEvaluator();
        private readonly Stopwatch _progressClock = new Stopwatch();
        private readonly List<(string File, int[] Sources)> _files = new List<(string, int[])>();
        private readonly List<(int Source, object[] Items)> _objectSources = new List<(int, object[])>();
        private readonly List<AttributeMapping> _mappings = new List<AttributeMapping>();
        private IReadOnlyList<ConversionSource>? _converterSources;
        private BulkRequestConverter? _converter;
        private ConversionOptions _options = new ConversionOptions();
        private string? _outDirectory;
        private long _pipelineNumber;
        private bool _columnsChecked;
        private bool _progressShown;

        private HashSet<string>? _learnedDates;
        private EntraInboundProvisioning.State.RunState? _state;
        private bool _whatIf;
        private int _emitted;

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

        /// <summary>
        /// <para type="description">The sources of one provisioning job, converted in one run (and, with -StatePath, into one state): hashtables with AttributeMapping (required), Path or LiteralPath (CSV files) or InputObject (objects), an optional Where scriptblock that picks the records of the source ($_ is the record), and an optional Name the state keeps for the source's workers. Sources that read the same file share one reading of it: each record goes to the first source whose Where accepts it.</para>
        /// </summary>
        [Parameter(Mandatory = true, ParameterSetName = SourceSet)]
        [ValidateNotNullOrEmpty]
        public System.Collections.Hashtable[]? Source { get; set; }

        /// <summary><para type="description">The attribute mapping: a hashtable, or the path of a .psd1 file such as AttributeMapping.psd1.</para></summary>
        [Parameter(Position = 1, ParameterSetName = InputObjectSet)]
        [Parameter(Position = 1, ParameterSetName = PathSet)]
        [Parameter(Position = 1, ParameterSetName = LiteralPathSet)]
        [ValidateNotNull]
        public object? AttributeMapping { get; set; }

        /// <summary><para type="description">The CSV field delimiter. The default is a comma.</para></summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        [Parameter(ParameterSetName = SourceSet)]
        public char Delimiter { get; set; } = ',';

        /// <summary><para type="description">The encoding of CSV files without a byte order mark. The default is UTF-8.</para></summary>
        [Parameter(ParameterSetName = PathSet)]
        [Parameter(ParameterSetName = LiteralPathSet)]
        [Parameter(ParameterSetName = SourceSet)]
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
        public EmptyValueHandling EmptyValue { get; set; } = EmptyValueHandling.Omit;

        /// <summary><para type="description">Converts only the records with these externalIds (for example failures to re-send).</para></summary>
        [Parameter]
        [ValidateNotNull]
        public string[]? ExternalId { get; set; }

        /// <summary><para type="description">Which row is sent when an externalId appears in more than one row: Last (the default, as at the service), First, or Error (nothing is converted; every repeat is listed).</para></summary>
        [Parameter]
        public DuplicateExternalIdHandling DuplicateExternalId { get; set; } = DuplicateExternalIdHandling.Last;

        /// <summary><para type="description">Lets a mapping without active, and records whose active is empty, through. Only for provisioning apps whose attribute mappings do not use active: the service disables the account of a record without active.</para></summary>
        [Parameter]
        public SwitchParameter AllowMissingActive { get; set; }

        /// <summary><para type="description">Attributes that land on Entra date-time attributes (employeeHireDate, employeeLeaveDateTime, custom DateTime attributes): their values are sent as ISO 8601 in UTC. A path such as 'urn:ietf:params:scim:schemas:extension:contoso:1.0:User:HireDate', or a bare attribute name.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? DateAttribute { get; set; }

        /// <summary><para type="description">Exact formats of the date attributes' values, such as 'dd.MM.yyyy' (ISO 8601 is always read too).</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string[]? DateFormat { get; set; }

        /// <summary><para type="description">The culture whose date forms the date attributes' values are written in, such as de-DE.</para></summary>
        [Parameter]
        [ValidateNotNull]
        public System.Globalization.CultureInfo? DateCulture { get; set; }

        /// <summary><para type="description">The provisioning app whose job schema says which attributes land on date-time attributes (added to -DateAttribute). Needs Connect-EntraProvisioning.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ServicePrincipalIdCompleter))]
        public string? ServicePrincipalId { get; set; }

        /// <summary><para type="description">The job, when the app given with -ServicePrincipalId has more than one API-driven job.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(JobIdCompleter))]
        public string? JobId { get; set; }

        /// <summary><para type="description">The run state file of the provisioning job (the same one Send-ScimBulkRequest -StatePath records into): only joiners, movers and leavers are converted.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? StatePath { get; set; }

        /// <summary><para type="description">With -StatePath: converts every worker, changed or not (a periodic full run that repairs drift); leavers are still found.</para></summary>
        [Parameter]
        public SwitchParameter Full { get; set; }

        /// <summary><para type="description">With -StatePath: the input is not the whole population (one department, a correction file), so nobody missing from it is a leaver.</para></summary>
        [Parameter]
        public SwitchParameter PartialInput { get; set; }

        /// <summary><para type="description">With -StatePath: the most leavers a run may find before it stops, as a percentage of the active workers in the state ('10%') or a number of workers (500). The default is 5%.</para></summary>
        [Parameter]
        [ValidateNotNull]
        public EntraInboundProvisioning.State.LeaverThreshold? LeaverThreshold { get; set; }

        /// <summary><para type="description">With -StatePath: sends the leavers even when they exceed -LeaverThreshold (a real mass departure).</para></summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

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
                DuplicateExternalId = DuplicateExternalId,
                AllowMissingActive = AllowMissingActive.IsPresent,
                DateAttributes = DateAttribute is null ? null : new HashSet<string>(DateAttribute.Select(d => d.Trim()), StringComparer.OrdinalIgnoreCase),
                Dates = DateFormat is null && DateCulture is null ? null : new ScimDate(DateFormat, DateCulture),
                Full = Full.IsPresent,
                PartialInput = PartialInput.IsPresent,
                LeaverThreshold = LeaverThreshold ?? EntraInboundProvisioning.State.LeaverThreshold.Default,
                AllowManyLeavers = Force.IsPresent,
            };

            _whatIf = IsWhatIf;
            OpenState();

            if (ServicePrincipalId is not null)
            {
                LearnDateAttributes();
            }
            else if (JobId is not null)
            {
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException("-JobId goes with -ServicePrincipalId."), "JobIdWithoutServicePrincipal", ErrorCategory.InvalidArgument, JobId));
            }

            if ((DateFormat is not null || DateCulture is not null) && _options.DateAttributes is null)
            {
                WriteWarning("-DateFormat and -DateCulture only apply to the attributes named with -DateAttribute; none was given.");
            }

            if (OutDirectory is not null)
            {
                _outDirectory = SessionState.Path.GetUnresolvedProviderPathFromPSPath(OutDirectory);
                Directory.CreateDirectory(_outDirectory);
            }

            if (ParameterSetName == SourceSet)
            {
                PrepareSources();
            }
            else if (AttributeMapping is not null)
            {
                (AttributeMapping mapping, IReadOnlyList<MappingFinding> findings) = MappingArgument.Load(this, AttributeMapping, _evaluator);
                UseMappings(new[] { new ConversionSource(mapping) }, new[] { findings });
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

                Convert(record, 0);
                ShowProgress(null, 0);
                return;
            }

            if (ParameterSetName == SourceSet)
            {
                return; // every source is read in EndProcessing
            }

            foreach (string file in InputFiles.Resolve(this, ParameterSetName == PathSet ? Path : LiteralPath, ParameterSetName == LiteralPathSet))
            {
                if (_converter is null && !PrepareMapping(file))
                {
                    continue;
                }

                if (_converter!.WantsIndex)
                {
                    // Read twice, in EndProcessing: a first pass learns each worker's row and manager, so the second streams.
                    _files.Add((file, OnlySource));
                }
                else
                {
                    ConvertFile(file, FilePass.Convert, OnlySource);
                }
            }
        }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            if (_files.Count > 0 || _objectSources.Count > 0)
            {
                ConvertInputs();
            }

            if (_converter is not null && !Stopping)
            {
                if (!_converter.IsStreaming && _converter.RecordsConverted > 0)
                {
                    ShowProgress(null, 0, force: true, status: $"Writing the {_converter.RecordsConverted:N0} held operation(s) into bulk requests{(_converter.OrdersManagers ? ", managers first" : string.Empty)}");
                }

                try
                {
                    _converter.Complete();
                }
                catch (DuplicateExternalIdException ex)
                {
                    ThrowTerminatingError(new ErrorRecord(ex, "DuplicateExternalIdsFound", ErrorCategory.InvalidData, null));
                }
                catch (InputChangedException ex)
                {
                    ThrowTerminatingError(new ErrorRecord(ex, "InputFileChanged", ErrorCategory.InvalidData, null));
                }
                catch (EntraInboundProvisioning.State.TooManyLeaversException ex)
                {
                    ThrowTerminatingError(new ErrorRecord(ex, "TooManyLeavers", ErrorCategory.LimitsExceeded, StatePath));
                }

                Drain();
                Summarize();
                WriteVerbose($"Converted {_converter.RecordsConverted} of {_converter.RecordsRead} record(s) into {_converter.Operations} operation(s) in {_converter.RequestsCompleted} bulk request(s); {_converter.RecordsFailed} record(s) had errors, {_converter.RecordsSuperseded} repeated row(s) were left out{(_options.ExternalIdFilter is null ? string.Empty : $", {_converter.RecordsFiltered} were not in -ExternalId")}{(_converter.SpilledBytes > 0 ? $"; {_converter.SpilledBytes / 1048576.0:N0} MB of held operations went to an encrypted temporary file" : string.Empty)}.");
                long found = _converter.Operations + _converter.Summary().Unchanged;
                if (_options.ExternalIdFilter is not null && found < _options.ExternalIdFilter.Count)
                {
                    WriteWarning($"{_options.ExternalIdFilter.Count - found} of the {_options.ExternalIdFilter.Count} externalId(s) given with -ExternalId were not converted (not in the input, or their records had errors).");
                }
            }

            CompleteProgress();
        }

        /// <inheritdoc />
        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _converter?.Dispose();
                _state?.Dispose();
            }

            base.Dispose(disposing);
        }

        /// <summary>Opens the run state (shared with Send-ScimBulkRequest -StatePath in the same pipeline).</summary>
        private void OpenState()
        {
            if (StatePath is null)
            {
                string? stray = Full.IsPresent ? "-Full" : PartialInput.IsPresent ? "-PartialInput" : LeaverThreshold is not null ? "-LeaverThreshold" : Force.IsPresent ? "-Force" : null;
                if (stray is not null)
                {
                    ThrowTerminatingError(new ErrorRecord(new PSArgumentException($"{stray} applies to runs with a state: give -StatePath."), "StatePathRequired", ErrorCategory.InvalidArgument, stray));
                }

                return;
            }

            string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(StatePath);
            _state = StateSessions.Open(this, path);
            _options.State = _state;
            WriteVerbose($"State '{path}': {_state.Workers:N0} worker(s), {_state.ActiveWorkers:N0} active{(_state.SavedAt is DateTimeOffset saved ? $", saved {saved:u}" : ", new")}.");
        }

        /// <summary>
        /// Adds the job schema's date-time attributes to the date attributes. Its own method, never inlined: converting
        /// without -ServicePrincipalId must not load the Graph client or MSAL.
        /// </summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private void LearnDateAttributes()
        {
            var (sp, job) = ResolveJob(ServicePrincipalId!, JobId);
            string schema = RunGraph(ct => Api.GetSchemaAsync(sp.Id, job.Id, ct), "GetSchemaFailed", job.Id, "Synchronization.Read.All");
            IReadOnlyList<string> learned;
            try
            {
                learned = EntraInboundProvisioning.Schema.SynchronizationSchemaDocument.Parse(schema).DateTimeAttributes();
            }
            catch (EntraInboundProvisioning.Schema.SynchronizationSchemaException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "UnsupportedSchema", ErrorCategory.InvalidData, job.Id));
                return;
            }

            WriteVerbose(learned.Count == 0
                ? $"The schema of job {job.Id} maps no API attribute to a date-time attribute."
                : $"The schema of job {job.Id} sends these to date-time attributes, so they go out as ISO 8601 in UTC: {string.Join(", ", learned)}.");
            _options.DateAttributes ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (string name in learned)
            {
                _options.DateAttributes.Add(name);
            }

            _learnedDates = new HashSet<string>(learned, StringComparer.OrdinalIgnoreCase);
        }

        /// <summary>Reads the first file's header to build the same-named mapping when none was given; false when unreadable.</summary>
        private bool PrepareMapping(string file)
        {
            try
            {
                using var reader = OpenCsv(file);
                EnsureMapping(reader.Header.Names, $"'{file}'");
                return true;
            }
            catch (CsvFormatException ex) when (ex.IsEmpty)
            {
                WriteError(NoRecords(file, "it is empty"));
                return false;
            }
            catch (Exception ex) when (ex is CsvFormatException or IOException or UnauthorizedAccessException)
            {
                _converter?.MarkInputIncomplete($"'{file}' could not be read");
                WriteError(new ErrorRecord(ex, "InputFileUnreadable", ErrorCategory.ReadError, file));
                return false;
            }
        }

        /// <summary>
        /// Reads -Source: each hashtable's mapping (validated like -AttributeMapping), its files or objects, and its
        /// Where. Sources that read the same file share it; each record goes to the first whose Where accepts it.
        /// </summary>
        private void PrepareSources()
        {
            var sources = new List<ConversionSource>();
            var findings = new List<IReadOnlyList<MappingFinding>>();
            var routes = new Dictionary<string, List<int>>(StringComparer.Ordinal);
            var order = new List<string>();
            for (int i = 0; i < Source!.Length; i++)
            {
                SourceArgument source = SourceArgument.Read(this, Source[i], i, _evaluator);
                findings.Add(source.Findings);
                sources.Add(new ConversionSource(source.Mapping, source.Name, source.Where));
                foreach (string file in source.Files)
                {
                    if (!routes.TryGetValue(file, out List<int>? readers))
                    {
                        readers = new List<int>();
                        routes.Add(file, readers);
                        order.Add(file);
                    }

                    readers.Add(i);
                }

                if (source.Objects is not null)
                {
                    _objectSources.Add((i, source.Objects));
                }
            }

            UseMappings(sources, findings);
            foreach (string file in order)
            {
                _files.Add((file, routes[file].ToArray()));
            }
        }

        /// <summary>
        /// Reads the files (and -Source objects) once, or, when the run wants an index (managers, a state), twice: the
        /// first pass indexes every input (externalIds and managers only; it reports nothing about records), the second
        /// converts them. A file that changes in between stops the command.
        /// </summary>
        private void ConvertInputs()
        {
            var stamps = new Dictionary<string, (long, DateTime)>(StringComparer.Ordinal);
            if (_converter!.WantsIndex)
            {
                foreach ((string file, int[] sources) in _files)
                {
                    stamps[file] = Stamp(file);
                    ConvertFile(file, FilePass.Index, sources);
                }

                foreach ((int source, object[] items) in _objectSources)
                {
                    ConvertObjects(source, items, FilePass.Index);
                }

                if (Stopping)
                {
                    return;
                }

                try
                {
                    _converter.EndIndex();
                }
                catch (DuplicateExternalIdException ex)
                {
                    ThrowTerminatingError(new ErrorRecord(ex, "DuplicateExternalIdsFound", ErrorCategory.InvalidData, null));
                }
                catch (EntraInboundProvisioning.State.TooManyLeaversException ex)
                {
                    // Before the second pass: not one request was written.
                    ThrowTerminatingError(new ErrorRecord(ex, "TooManyLeavers", ErrorCategory.LimitsExceeded, StatePath));
                }
            }

            foreach ((string file, int[] sources) in _files)
            {
                if (stamps.TryGetValue(file, out (long, DateTime) stamp) && Stamp(file) != stamp)
                {
                    ThrowTerminatingError(new ErrorRecord(new IOException($"'{file}' changed while it was read (it is read twice: once to learn each worker's row and manager, once to convert). Run again when the export is complete."), "InputFileChanged", ErrorCategory.InvalidData, file));
                }

                ConvertFile(file, FilePass.Convert, sources);
            }

            foreach ((int source, object[] items) in _objectSources)
            {
                ConvertObjects(source, items, FilePass.Convert);
            }
        }

        /// <summary>The objects of a -Source InputObject, as pipeline input is read.</summary>
        private void ConvertObjects(int source, object[] items, FilePass pass)
        {
            int[] candidates = { source };
            long number = 0;
            foreach (object item in items)
            {
                var record = PSObjectRecord.Create(PSObject.AsPSObject(item), ++number);
                int routed = _converter!.Route(record, candidates);
                if (pass == FilePass.Index)
                {
                    _converter.Index(record, routed);
                }
                else
                {
                    Convert(record, routed);
                }
            }
        }

        private static (long Length, DateTime Written) Stamp(string file)
        {
            var info = new FileInfo(file);
            return info.Exists ? (info.Length, info.LastWriteTimeUtc) : (-1, DateTime.MinValue);
        }

        private CsvRecordReader OpenCsv(string file)
            => new CsvRecordReader(file, new CsvReadOptions { Delimiter = Delimiter.ToString(), Encoding = Encoding ?? new UTF8Encoding(false) });

        private void ConvertFile(string file, FilePass pass, int[] sources)
        {
            bool indexing = pass == FilePass.Index;
            CsvRecordReader reader;
            try
            {
                reader = OpenCsv(file);
            }
            catch (CsvFormatException ex) when (ex.IsEmpty)
            {
                // Nothing to read is not a read error: the file's workers are missing (leavers, under the threshold).
                if (!indexing)
                {
                    WriteError(NoRecords(file, "it is empty"));
                }

                return;
            }
            catch (Exception ex) when (ex is CsvFormatException or IOException or UnauthorizedAccessException)
            {
                // The first pass stays silent: the second reports the same problem once.
                _converter?.MarkInputIncomplete($"'{file}' could not be read");
                if (!indexing)
                {
                    WriteError(new ErrorRecord(ex, "InputFileUnreadable", ErrorCategory.ReadError, file));
                }

                return;
            }

            using (reader)
            {
                EnsureColumns(reader.Header.Names, $"'{file}'", sources);
                long records = 0;
                try
                {
                    foreach (CsvRecord record in reader.ReadRecords(indexing ? MarkIncomplete : ReportRow, Cancellation))
                    {
                        records++;
                        int source = _converter!.Route(record, sources);
                        if (indexing)
                        {
                            _converter.Index(record, source);
                        }
                        else
                        {
                            Convert(record, source);
                        }

                        ShowProgress(reader, record.Number, pass: pass);
                    }

                    if (records == 0 && !indexing)
                    {
                        WriteError(NoRecords(file, "it has only a header row"));
                    }
                }
                catch (OperationCanceledException)
                {
                    // Ctrl+C: stop reading; the pipeline is being torn down.
                }
                catch (Exception ex) when (ex is IOException or CsvFormatException)
                {
                    _converter!.MarkInputIncomplete($"'{file}' could not be read to the end");
                    if (!indexing)
                    {
                        WriteError(new ErrorRecord(ex, "InputFileUnreadable", ErrorCategory.ReadError, file));
                    }
                }
            }
        }

        private static ErrorRecord NoRecords(string file, string why)
            => new ErrorRecord(new InvalidDataException($"'{file}' has no records ({why}); nothing in it was converted. With -StatePath, the workers it held count as missing from this run."), "NoRecords", ErrorCategory.InvalidData, file);

        private void ReportRow(CsvRowProblem problem)
        {
            MarkIncomplete(problem);
            WriteError(new ErrorRecord(new InvalidDataException(problem.Message), "CsvRowMalformed", ErrorCategory.InvalidData, problem));
        }

        /// <summary>A row that cannot be read may hold a worker, who would then look like a leaver.</summary>
        private void MarkIncomplete(CsvRowProblem problem) => _converter?.MarkInputIncomplete($"'{problem.Source}' has rows that cannot be read (row {problem.Row} first)");

        /// <summary>Reports what the run decided; with -WhatIf, that is its output.</summary>
        private void Summarize()
        {
            EntraInboundProvisioning.State.ConversionSummary summary = _converter!.Summary();
            summary.WhatIf = _whatIf;
            if (_state is not null)
            {
                _converter.ReportPlan(summary);
                if (!_whatIf)
                {
                    // The plan of a real conversion only: the send that records into this state saves it with the run.
                    _state.RecordPlan(summary);
                    _converter.NoteShapes();
                }

                WriteInformation(new InformationRecord(summary, MyInvocation.MyCommand.Name) { Tags = { "Summary" } });
                WriteVerbose($"Run plan: {summary}.");

                // Requests went down the pipeline to a command that does not record into this state (Send-ScimBulkRequest
                // without -StatePath, or another command): the state will not learn what is accepted. When the conversion
                // is the last command, its requests are kept for later (a variable) and nothing can be told yet.
                if (!_whatIf && _emitted > 0 && _outDirectory is null && !AsJson.IsPresent && _state.SharedBy == 1 && MyInvocation.PipelinePosition < MyInvocation.PipelineLength)
                {
                    WriteWarning($"No command after ConvertTo-ScimBulkRequest in this pipeline records into the state '{_state.Path}': give Send-ScimBulkRequest -StatePath with the same file, so the state learns what the service accepted. Without it, the next run converts these changes again.");
                }
            }

            if (_whatIf)
            {
                string plan = _state is null ? $"{summary.Operations:N0} record(s) in {summary.Requests:N0} request(s)" : $"{summary.Joiners:N0} joiner(s), {summary.Movers:N0} mover(s), {summary.Leavers:N0} leaver(s), {summary.Retries + summary.Refreshes:N0} re-sent; {summary.Unchanged:N0} unchanged: {summary.Requests:N0} request(s)";
                ShouldProcess(_state?.Path ?? "the input", $"Convert {plan}");
                WriteObject(summary);
            }
        }

        private void Convert(IRecord record, int source)
        {
            _converter!.Add(record, source);
            Drain();
        }

        private void Drain()
        {
            while (_converter!.TryTake(out BulkRequest? request))
            {
                Emit(request!);
            }
        }

        /// <summary>Creates the mapping from same-named columns when none was given, and checks the columns the mapping reads.</summary>
        private void EnsureMapping(IReadOnlyList<string> columns, string where)
        {
            if (_mappings.Count == 0)
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
                UseMappings(new[] { new ConversionSource(mapping) }, new[] { (IReadOnlyList<MappingFinding>)Array.Empty<MappingFinding>() });
            }

            EnsureColumns(columns, where, OnlySource);
        }

        /// <summary>Checks that the input has every column the mappings of the sources reading it name.</summary>
        private void EnsureColumns(IReadOnlyList<string> columns, string where, int[] sources)
        {
            var available = new HashSet<string>(columns, StringComparer.OrdinalIgnoreCase);
            foreach (int source in sources)
            {
                foreach ((string attribute, string column) in MappingValidator.ColumnLeaves(_mappings[source]))
                {
                    if (!available.Contains(column))
                    {
                        string mapping = _mappings.Count > 1 ? $"The mapping of source '{_converterSources![source]}'" : "The mapping";
                        ThrowTerminatingError(new ErrorRecord(
                            new PSArgumentException($"{mapping} maps '{attribute}' to the column '{column}', but {where} have no such column. Available columns: {string.Join(", ", columns)}."),
                            "MappedColumnNotFound",
                            ErrorCategory.InvalidData,
                            column));
                    }
                }
            }
        }

        /// <summary>Checks every source's mapping (errors stop the command, warnings are written) and creates the converter.</summary>
        private void UseMappings(IReadOnlyList<ConversionSource> sources, IReadOnlyList<IReadOnlyList<MappingFinding>> readFindings)
        {
            for (int i = 0; i < sources.Count; i++)
            {
                AttributeMapping mapping = sources[i].Mapping;
                List<MappingFinding> findings = readFindings[i].Concat(MappingValidator.Validate(mapping, null, AllowMissingActive.IsPresent)).ToList();
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

                _mappings.Add(mapping);
            }

            _converterSources = sources;
            try
            {
                _converter = new BulkRequestConverter(sources, _options, Report);
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "InvalidScimSchemaNamespace", ErrorCategory.InvalidArgument, ScimSchemaNamespace));
            }

            // A schema attribute the mapping does not send is no mistake; a name the admin typed is worth a warning.
            foreach (string unmatched in _converter!.UnmatchedDateAttributes.Where(u => _learnedDates is null || !_learnedDates.Contains(u)))
            {
                WriteWarning($"-DateAttribute '{unmatched}' matches no attribute of the mapping{(ScimSchemaNamespace is null ? string.Empty : " or -ScimSchemaNamespace")}; check the name (for example 'urn:ietf:params:scim:schemas:extension:contoso:1.0:User:HireDate').");
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
            _emitted++;
            if (_whatIf)
            {
                return;
            }

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

        private void ShowProgress(CsvRecordReader? reader, long row, bool force = false, string? status = null, FilePass pass = FilePass.Convert)
        {
            // Checking the clock every record is cheap; writing progress is not, so at most five times a second.
            if (!force && _progressClock.ElapsedMilliseconds < 200)
            {
                return;
            }

            _progressClock.Restart();
            _progressShown = true;
            status ??= pass == FilePass.Index
                ? $"Reading each worker's row and manager first: {_converter!.RecordsIndexed:N0} record(s)"
                : $"{_converter!.RecordsRead:N0} record(s) read, {_converter.RequestsCompleted:N0} request(s), {_converter.OperationsWaiting:N0} waiting for their manager or the end of the input, {_converter.RecordsFailed:N0} error(s)";
            var progress = new ProgressRecord(ProgressId, "Converting records to SCIM bulk requests", status);
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

        private enum FilePass
        {
            Index,
            Convert,
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
