using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.PowerShell.Conversion;
using EntraInboundProvisioning.PowerShell.Mapping;
using EntraInboundProvisioning.PowerShell.Records;
using EntraInboundProvisioning.PowerShell.Session;
using EntraInboundProvisioning.Scim;
using EntraInboundProvisioning.Sources;
using EntraInboundProvisioning.State;

namespace EntraInboundProvisioning.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Converts worker records into SCIM bulk requests for API-driven inbound provisioning.</para>
    /// </summary>
    // Longer than most cmdlets for its parameters (25, each with its help): the conversion itself is Core's ConversionRun.
    // Over 350 lines for its parameters (25, in five sets, each with its help), the output modes and the mapping of the
    // run's exceptions to errors: the conversion itself is Core's ConversionRun, the inputs ConversionInputs.
    [Cmdlet(VerbsData.ConvertTo, "ScimBulkRequest", DefaultParameterSetName = InputObjectSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(BulkRequest))]
    [OutputType(typeof(string), typeof(FileInfo))]
    [OutputType(typeof(ConversionSummary))]
    public sealed class ConvertToScimBulkRequestCommand : ProvisioningCmdlet
    {
        private const string InputObjectSet = "InputObject";
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const string SourceSet = "Source";

        private readonly ScriptBlockEvaluator _evaluator = new ScriptBlockEvaluator();
        private ConversionOptions _options = new ConversionOptions();
        private ConversionRun? _run;
        private RunState? _state;
        private DateTimeOffset _stateOpenedAt;
        private ConversionProgressReport? _progress;
        private HashSet<string>? _learnedDates;
        private string? _outDirectory;
        private long _pipelineNumber;
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

            ConversionInputs inputs = ParameterSetName == SourceSet
                ? ConversionInputs.FromSources(this, Source!, _evaluator, AllowMissingActive.IsPresent)
                : ConversionInputs.FromMapping(this, AttributeMapping, _evaluator, AllowMissingActive.IsPresent);
            _progress = new ConversionProgressReport(this, () => _run?.Converter);
            try
            {
                _run = new ConversionRun(inputs.Sources, _options, _state, diagnostic => ConversionDiagnostics.Write(this, diagnostic), MappingFromColumns)
                {
                    Csv = new CsvReadOptions { Delimiter = Delimiter.ToString(), Encoding = Encoding ?? new UTF8Encoding(false) },
                    RowProblem = problem => WriteError(new ErrorRecord(new InvalidDataException(problem.Message), "CsvRowMalformed", ErrorCategory.InvalidData, problem)),
                    Progress = _progress,
                };
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "InvalidScimSchemaNamespace", ErrorCategory.InvalidArgument, ScimSchemaNamespace));
            }

            WarnUnmatchedDates();
            inputs.Missing.ForEach(Missing);
            inputs.AddTo(_run!);
        }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (ParameterSetName == InputObjectSet)
            {
                if (InputObject is not null)
                {
                    Emit(Guarded(() => _run!.Add(PSObjectRecord.Create(InputObject, ++_pipelineNumber))));
                    _progress!.Show(null, 0);
                }

                return;
            }

            if (ParameterSetName != SourceSet)
            {
                foreach (string file in InputFiles.Resolve(this, ParameterSetName == PathSet ? Path : LiteralPath, ParameterSetName == LiteralPathSet, Missing))
                {
                    _run!.AddFile(file);
                }
            }
        }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            Guarded(() =>
            {
                foreach (BulkRequest request in _run!.Complete(Cancellation))
                {
                    Emit(request);
                }

                return 0;
            });
            BulkRequestConverter? converter = _run!.Converter;
            if (converter is not null && !Stopping)
            {
                WarnUnmatchedDates();
                Summarize(converter);
                WriteVerbose($"Converted {converter.RecordsConverted} of {converter.RecordsRead} record(s) into {converter.Operations} operation(s) in {converter.RequestsCompleted} bulk request(s); {converter.RecordsFailed} record(s) had errors, {converter.RecordsSuperseded} repeated row(s) were left out{(_options.ExternalIdFilter is null ? string.Empty : $", {converter.RecordsFiltered} were not in -ExternalId")}{(converter.SpilledBytes > 0 ? $"; {converter.SpilledBytes / 1048576.0:N0} MB of held operations went to an encrypted temporary file" : string.Empty)}.");
                long found = converter.Operations + converter.Summary().Unchanged;
                if (_options.ExternalIdFilter is not null && found < _options.ExternalIdFilter.Count)
                {
                    WriteWarning($"{_options.ExternalIdFilter.Count - found} of the {_options.ExternalIdFilter.Count} externalId(s) given with -ExternalId were not converted (not in the input, or their records had errors).");
                }
            }

            _progress?.Complete();
        }

        /// <inheritdoc />
        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _run?.Dispose();
                _state?.Dispose();
            }

            base.Dispose(disposing);
        }

        /// <summary>Puts a run refused before it sent anything on the state's record (never for -WhatIf).</summary>
        private void RecordRefusal(string errorId, string message)
        {
            if (_state is null || _whatIf)
            {
                return;
            }

            try
            {
                _state.RecordRefusal(_stateOpenedAt, errorId, message);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                WriteWarning($"The refusal could not be recorded in the state '{_state.Path}': {ex.Message}");
            }
        }

        /// <summary>Runs conversion work; what stops the whole run becomes the terminating error it has always been.</summary>
        private T Guarded<T>(Func<T> work)
        {
            try
            {
                return work();
            }
            catch (MappedColumnNotFoundException ex)
            {
                ThrowTerminatingError(new ErrorRecord(new PSArgumentException(ex.Message, ex), "MappedColumnNotFound", ErrorCategory.InvalidData, ex.Column));
            }
            catch (InputChangedException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex.Path is null ? ex : new IOException(ex.Message, ex), "InputFileChanged", ErrorCategory.InvalidData, ex.Path));
            }
            catch (DuplicateExternalIdException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "DuplicateExternalIdsFound", ErrorCategory.InvalidData, null));
            }
            catch (TooManyLeaversException ex)
            {
                // Before anything was written: not one request went out. The state keeps the refusal in its history.
                RecordRefusal("TooManyLeavers", ex.Message);
                ThrowTerminatingError(new ErrorRecord(ex, "TooManyLeavers", ErrorCategory.LimitsExceeded, StatePath));
            }

            return default!;
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
            _stateOpenedAt = DateTimeOffset.UtcNow;
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

        private ConversionSource MappingFromColumns(IReadOnlyList<string> columns, string where)
            => MappingArgument.FromColumns(this, columns, where, AllowMissingActive.IsPresent);

        /// <summary>A schema attribute the mapping does not send is no mistake; a name the admin typed is worth a warning (once).</summary>
        private void WarnUnmatchedDates()
        {
            if (_run?.Converter is not BulkRequestConverter converter || _learnedDates is { Count: < 0 })
            {
                return;
            }

            foreach (string unmatched in converter.UnmatchedDateAttributes.Where(u => _learnedDates is null || !_learnedDates.Contains(u)))
            {
                WriteWarning($"-DateAttribute '{unmatched}' matches no attribute of the mapping{(ScimSchemaNamespace is null ? string.Empty : " or -ScimSchemaNamespace")}; check the name (for example 'urn:ietf:params:scim:schemas:extension:contoso:1.0:User:HireDate').");
            }

            _learnedDates = new HashSet<string>(converter.UnmatchedDateAttributes.Concat(_learnedDates ?? Enumerable.Empty<string>()), StringComparer.OrdinalIgnoreCase);
        }

        /// <summary>A named input that is not there: its workers would look like leavers, so none is inferred.</summary>
        private void Missing(string path) => _run?.MarkInputIncomplete($"'{path}' was not found");

        /// <summary>Reports what the run decided; with -WhatIf, that is its output.</summary>
        private void Summarize(BulkRequestConverter converter)
        {
            ConversionSummary summary = converter.Summary();
            summary.WhatIf = _whatIf;
            converter.ReportPlan(summary);
            if (_state is not null)
            {
                if (!_whatIf)
                {
                    // The plan of a real conversion only: the send that records into this state saves it with the run.
                    _state.RecordPlan(summary);
                    converter.NoteShapes();
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

        private void Emit(IEnumerable<BulkRequest> requests)
        {
            foreach (BulkRequest request in requests)
            {
                Emit(request);
            }
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
    }
}
