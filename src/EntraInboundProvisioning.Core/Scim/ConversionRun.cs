using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Sources;
using EntraInboundProvisioning.State;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>
    /// One conversion, from its inputs to its requests: CSV files and record lists (re-readable, read at
    /// <see cref="Complete"/>: once, or twice when the run needs the whole input first, each file stamped so one that
    /// changes in between stops the run) or pipeline input (<see cref="Add"/>, one record at a time). It checks each
    /// input has the columns its source's mapping reads, says when an input has no records or cannot be read (and then
    /// infers no leavers), routes each record to its source, and leaves the rest to the <see cref="BulkRequestConverter"/>.
    /// Everything about records comes back through the diagnostics callback; a run that cannot go on throws.
    /// </summary>
    public sealed class ConversionRun : IDisposable
    {
        private static readonly int[] OnlySource = { 0 };

        private readonly ConversionOptions _options;
        private readonly RunState? _state;
        private readonly Action<ConversionDiagnostic> _report;
        private readonly Func<IReadOnlyList<string>, string, ConversionSource>? _mappingFromColumns;
        private readonly List<(string File, int[] Sources)> _files = new List<(string, int[])>();
        private readonly List<(int Source, IReadOnlyList<IRecord> Records)> _lists = new List<(int, IReadOnlyList<IRecord>)>();
        private IReadOnlyList<ConversionSource>? _sources;
        private BulkRequestConverter? _converter;
        private bool _pipelineColumnsChecked;
        private string? _unreadableBeforeConverter;

        /// <summary>Creates a run over the given sources.</summary>
        /// <param name="sources">The sources; null when the mapping comes from the first input's columns (<paramref name="mappingFromColumns"/>).</param>
        /// <param name="options">How records are converted.</param>
        /// <param name="state">The run state (-StatePath), or null.</param>
        /// <param name="report">Problems with records and inputs, as data.</param>
        /// <param name="mappingFromColumns">Makes the source from the first input's column names and a description of that input.</param>
        /// <exception cref="ArgumentException">A malformed namespace URN, or a mapping without <c>active</c>.</exception>
        public ConversionRun(IReadOnlyList<ConversionSource>? sources, ConversionOptions options, RunState? state, Action<ConversionDiagnostic> report, Func<IReadOnlyList<string>, string, ConversionSource>? mappingFromColumns = null)
        {
            _options = options;
            _state = state;
            _report = report;
            _mappingFromColumns = mappingFromColumns;
            if (sources is { Count: > 0 })
            {
                UseSources(sources);
            }
        }

        /// <summary>How CSV files are read.</summary>
        public CsvReadOptions Csv { get; set; } = new CsvReadOptions();

        /// <summary>Rows of a CSV file that cannot be read (the conversion pass reports each; the row is skipped).</summary>
        public Action<CsvRowProblem>? RowProblem { get; set; }

        /// <summary>Where the run is, as it reads.</summary>
        public IProgress<ConversionProgress>? Progress { get; set; }

        /// <summary>The converter, once the run has its sources (for counters and the summary).</summary>
        public BulkRequestConverter? Converter => _converter;

        /// <summary>Reads a CSV file at <see cref="Complete"/>, for the given sources (all that read it; the first whose Where takes a record gets it).</summary>
        public void AddFile(string path, IReadOnlyList<int>? sources = null) => _files.Add((path, sources is null ? OnlySource : ToArray(sources)));

        /// <summary>Reads a list of records of one source at <see cref="Complete"/> (a -Source InputObject).</summary>
        public void AddRecords(int source, IReadOnlyList<IRecord> records) => _lists.Add((source, records));

        /// <summary>Converts one record of pipeline input; returns the requests completed meanwhile.</summary>
        /// <exception cref="MappedColumnNotFoundException">The first record lacks a column the mapping reads.</exception>
        public IReadOnlyList<BulkRequest> Add(IRecord record)
        {
            if (!_pipelineColumnsChecked)
            {
                EnsureSources(record.FieldNames, "the input objects");
                CheckColumns(record.FieldNames, "the input objects", OnlySource);
                _pipelineColumnsChecked = true;
            }

            if (IsBlank(record))
            {
                return Array.Empty<BulkRequest>(); // a row of empty fields holds no worker, as in a CSV file (CsvRecordReader)
            }

            _converter!.Add(record, _converter.Route(record, OnlySource, report: true));
            return Take();
        }

        /// <summary>
        /// Says that part of the input is missing (a file that was named but not found): a worker in it would look like
        /// a leaver, so none is inferred in this run.
        /// </summary>
        public void MarkInputIncomplete(string why)
        {
            if (_converter is null)
            {
                _unreadableBeforeConverter ??= why;
            }
            else
            {
                _converter.MarkInputIncomplete(why);
            }
        }

        /// <summary>
        /// Reads the files and record lists (twice when the run indexes first), then ends the run; requests come out as
        /// they are written.
        /// </summary>
        /// <exception cref="MappedColumnNotFoundException">An input lacks a column its mapping reads.</exception>
        /// <exception cref="InputChangedException">A file changed between the two passes.</exception>
        /// <exception cref="DuplicateExternalIdException">Under -DuplicateExternalId Error, when a worker repeats.</exception>
        /// <exception cref="TooManyLeaversException">More leavers than the threshold allows; nothing was written.</exception>
        public IEnumerable<BulkRequest> Complete(CancellationToken cancellationToken)
        {
            var stamps = new Dictionary<string, (long, DateTime)>(StringComparer.Ordinal);
            bool twice = _converter?.WantsIndex ?? OperationAssembler.NeedsWholeInput(_options, orderManagers: false, _options.DecidesLeaversWith(_state is not null));
            if (twice && (_files.Count > 0 || _lists.Count > 0))
            {
                foreach ((string file, int[] sources) in _files)
                {
                    stamps[file] = Stamp(file);
                    foreach (BulkRequest request in ReadFile(file, sources, indexing: true, cancellationToken))
                    {
                        yield return request;
                    }
                }

                foreach ((int source, IReadOnlyList<IRecord> records) in _lists)
                {
                    ReadList(source, records, indexing: true);
                }

                if (cancellationToken.IsCancellationRequested || _converter is null)
                {
                    yield break;
                }

                _converter.EndIndex();
            }

            foreach ((string file, int[] sources) in _files)
            {
                if (stamps.TryGetValue(file, out (long, DateTime) stamp) && Stamp(file) != stamp)
                {
                    throw new InputChangedException($"'{file}' changed while it was read (it is read twice: once to learn each worker's row and manager, once to convert). Run again when the export is complete.", file);
                }

                foreach (BulkRequest request in ReadFile(file, sources, indexing: false, cancellationToken))
                {
                    yield return request;
                }
            }

            foreach ((int source, IReadOnlyList<IRecord> records) in _lists)
            {
                ReadList(source, records, indexing: false);
                foreach (BulkRequest request in Take())
                {
                    yield return request;
                }
            }

            if (_converter is null || cancellationToken.IsCancellationRequested)
            {
                yield break;
            }

            _converter.Complete();
            foreach (BulkRequest request in Take())
            {
                yield return request;
            }
        }

        /// <summary>What the run decided (see <see cref="BulkRequestConverter.Summary"/>); null before it had a source.</summary>
        public ConversionSummary? Summary() => _converter?.Summary();

        /// <inheritdoc />
        public void Dispose() => _converter?.Dispose();

        /// <summary>Requests ready now.</summary>
        private List<BulkRequest> Take()
        {
            var ready = new List<BulkRequest>();
            while (_converter is not null && _converter.TryTake(out BulkRequest? request))
            {
                ready.Add(request!);
            }

            return ready;
        }

        private IEnumerable<BulkRequest> ReadFile(string file, int[] sources, bool indexing, CancellationToken cancellationToken)
        {
            CsvRecordReader reader;
            try
            {
                reader = new CsvRecordReader(file, Csv);
            }
            catch (CsvFormatException ex) when (ex.IsEmpty)
            {
                // Nothing to read is not a read error: the file's workers are missing (leavers, under the threshold).
                if (!indexing)
                {
                    NoRecords(file, "it is empty");
                }

                EmptyInput($"'{file}'");
                yield break;
            }
            catch (Exception ex) when (ex is CsvFormatException or IOException or UnauthorizedAccessException)
            {
                // The first pass stays silent: the second reports the same problem once.
                _converter?.MarkInputIncomplete($"'{file}' could not be read");
                _unreadableBeforeConverter ??= _converter is null ? $"'{file}' could not be read" : null;
                if (!indexing)
                {
                    _report(new ConversionDiagnostic(DiagnosticSeverity.Error, "InputFileUnreadable", ex.Message, file, 0, exception: ex));
                }

                yield break;
            }

            using (reader)
            {
                EnsureSources(reader.Header.Names, $"'{file}'");
                CheckColumns(reader.Header.Names, $"'{file}'", sources);
                long records = 0;
                bool failed = false;
                using IEnumerator<CsvRecord> rows = reader.ReadRecords(indexing ? MarkIncomplete : ReportRow, cancellationToken).GetEnumerator();
                while (true)
                {
                    CsvRecord record;
                    try
                    {
                        if (!rows.MoveNext())
                        {
                            break;
                        }

                        record = rows.Current;
                    }
                    catch (OperationCanceledException)
                    {
                        yield break; // Ctrl+C: stop reading; the pipeline is being torn down
                    }
                    catch (Exception ex) when (ex is IOException or CsvFormatException)
                    {
                        _converter!.MarkInputIncomplete($"'{file}' could not be read to the end");
                        if (!indexing)
                        {
                            _report(new ConversionDiagnostic(DiagnosticSeverity.Error, "InputFileUnreadable", ex.Message, file, 0, exception: ex));
                        }

                        failed = true;
                        break;
                    }

                    records++;
                    int source = _converter!.Route(record, sources, report: !indexing);
                    if (indexing)
                    {
                        _converter.Index(record, source);
                    }
                    else
                    {
                        _converter.Add(record, source);
                        foreach (BulkRequest request in Take())
                        {
                            yield return request;
                        }
                    }

                    Progress?.Report(new ConversionProgress(indexing, file, record.Number, reader.Fraction));
                }

                if (records == 0 && !failed)
                {
                    if (!indexing)
                    {
                        NoRecords(file, "it has only a header row");
                    }

                    EmptyInput($"'{file}'");
                }
            }
        }

        private void ReadList(int source, IReadOnlyList<IRecord> records, bool indexing)
        {
            int[] candidates = { source };
            long taken = 0;
            foreach (IRecord record in records)
            {
                if (IsBlank(record))
                {
                    continue;
                }

                taken++;

                int routed = _converter!.Route(record, candidates, report: !indexing);
                if (indexing)
                {
                    _converter.Index(record, routed);
                }
                else
                {
                    _converter.Add(record, routed);
                }
            }

            if (taken == 0)
            {
                if (!indexing)
                {
                    _report(new ConversionDiagnostic(DiagnosticSeverity.Warning, "NoRecords", $"The source '{_sources![source]}' has no records (its InputObject is empty); nothing in it was converted.", null, 0));
                }

                EmptyInput($"the source '{_sources![source]}'");
            }
        }

        /// <summary>
        /// An input without a record, among several: a failed export of one population (a header-only file, a query that
        /// returned nothing) would make every worker in it a leaver, and a small population passes under any leaver
        /// threshold. No leaver is inferred then, unless -Force (AllowManyLeavers) says the population really went. (A run of one
        /// input that is empty has everyone leave, which the threshold refuses.)
        /// </summary>
        private void EmptyInput(string what)
        {
            if (_files.Count + _lists.Count > 1 && !_options.AllowManyLeavers)
            {
                MarkInputIncomplete($"{what} has no records (-Force if its workers really all left)");
            }
        }

        /// <summary>Without sources, the first input's columns make them (the cmdlet's same-named-columns mapping).</summary>
        private void EnsureSources(IReadOnlyList<string> columns, string where)
        {
            if (_converter is not null)
            {
                return;
            }

            if (_mappingFromColumns is null)
            {
                throw new InvalidOperationException("The run has no source, and no way to make one from the input's columns.");
            }

            UseSources(new[] { _mappingFromColumns(columns, where) });
        }

        private void UseSources(IReadOnlyList<ConversionSource> sources)
        {
            _sources = sources;
            _converter = new BulkRequestConverter(sources, _options, _state, _report);
            if (_unreadableBeforeConverter is not null)
            {
                _converter.MarkInputIncomplete(_unreadableBeforeConverter);
            }
        }

        /// <summary>Every column a reading source's mapping names must be in the input.</summary>
        private void CheckColumns(IReadOnlyList<string> columns, string where, int[] sources)
        {
            var available = new HashSet<string>(columns, StringComparer.OrdinalIgnoreCase);
            foreach (int source in sources)
            {
                foreach ((string attribute, string column) in MappingValidator.ColumnLeaves(_sources![source].Mapping))
                {
                    if (!available.Contains(column))
                    {
                        string mapping = _sources.Count > 1 ? $"The mapping of source '{_sources[source]}'" : "The mapping";
                        throw new MappedColumnNotFoundException($"{mapping} maps '{attribute}' to the column '{column}', but {where} have no such column. Available columns: {string.Join(", ", columns)}.", column);
                    }
                }
            }
        }

        private void NoRecords(string file, string why)
            => _report(new ConversionDiagnostic(DiagnosticSeverity.Error, "NoRecords", $"'{file}' has no records ({why}); nothing in it was converted. With -StatePath, the workers it held count as missing from this run.", file, 0));

        private void ReportRow(CsvRowProblem problem)
        {
            MarkIncomplete(problem);
            RowProblem?.Invoke(problem);
        }

        /// <summary>A row that cannot be read may hold a worker, who would then look like a leaver.</summary>
        private void MarkIncomplete(CsvRowProblem problem) => _converter?.MarkInputIncomplete($"'{problem.Source}' has rows that cannot be read (row {problem.Row} first)");

        /// <summary>True when every field of a record is null or whitespace.</summary>
        private static bool IsBlank(IRecord record)
        {
            foreach (string name in record.FieldNames)
            {
                if (record.TryGetValue(name, out object? value) && value is not null && (value is not string text || !string.IsNullOrWhiteSpace(text)))
                {
                    return false;
                }
            }

            return record.FieldNames.Count > 0;
        }

        private static (long Length, DateTime Written) Stamp(string file)
        {
            var info = new FileInfo(file);
            return info.Exists ? (info.Length, info.LastWriteTimeUtc) : (-1, DateTime.MinValue);
        }

        private static int[] ToArray(IReadOnlyList<int> sources)
        {
            var array = new int[sources.Count];
            for (int i = 0; i < array.Length; i++)
            {
                array[i] = sources[i];
            }

            return array;
        }
    }
}
