using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using CsvHelper;
using CsvHelper.Configuration;

namespace EntraInboundProvisioning.Sources
{
    /// <summary>
    /// Streams a CSV file as records with CsvHelper's parser: RFC 4180 quoting (commas, quotes and newlines
    /// inside fields), BOM detection, any delimiter. Fields are materialised only when a mapping reads them.
    /// </summary>
    public sealed class CsvRecordReader : IDisposable
    {
        private readonly TextReader _reader;
        private readonly CsvParser _parser;
        private readonly string _source;
        private long _row;

        /// <summary>Opens a file; the header is read at once.</summary>
        /// <exception cref="CsvFormatException">The file has no header row or repeats a column name.</exception>
        public CsvRecordReader(string path, CsvReadOptions? options = null)
            : this(OpenFile(path, options ?? new CsvReadOptions()), path, options)
        {
        }

        /// <summary>Reads CSV text from a reader; <paramref name="source"/> names it in messages.</summary>
        public CsvRecordReader(TextReader reader, string source, CsvReadOptions? options = null)
        {
            options ??= new CsvReadOptions();
            _reader = reader;
            _source = source;
            var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
            {
                Delimiter = options.Delimiter,
                DetectDelimiter = false,
                IgnoreBlankLines = true,
                BadDataFound = null,
            };
            _parser = new CsvParser(reader, configuration);

            // Lines of only whitespace or delimiters before the header are blank lines, as CsvHelper's own are: a file
            // of nothing else is empty, not a file with an invisible column.
            do
            {
                if (!_parser.Read())
                {
                    Dispose();
                    throw CsvFormatException.Empty(source);
                }
            }
            while (AllFieldsBlank());

            string[] names = new string[_parser.Count];
            var seen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < names.Length; i++)
            {
                string name = _parser[i];
                // Strip a BOM that an encoding without BOM detection left in the first header cell.
                if (i == 0 && name.Length > 0 && name[0] == '\uFEFF')
                {
                    name = name.Substring(1);
                }

                if (seen.TryGetValue(name, out int first))
                {
                    Dispose();
                    throw new CsvFormatException($"'{source}' names the column '{name}' twice (columns {first + 1} and {i + 1}); column names must be unique, ignoring case.");
                }

                seen.Add(name, i);
                names[i] = name;
            }

            Header = new RecordHeader(names);
        }

        /// <summary>The header row.</summary>
        public RecordHeader Header { get; }

        /// <summary>The file being read.</summary>
        public string Source => _source;

        /// <summary>How far through the file the reader is (0..1), or null when the input is not a file.</summary>
        public double? Fraction => _reader is StreamReader { BaseStream: FileStream { CanSeek: true } stream } && stream.Length > 0 ? (double)stream.Position / stream.Length : null;

        /// <summary>
        /// Reads records one by one. A row whose field count differs from the header's is reported through
        /// <paramref name="problems"/> and skipped; a row whose fields are all empty is skipped silently, like a blank
        /// line (it still counts in the row numbers). A yielded record is valid until the next one is read;
        /// call <see cref="CsvRecord.Detach"/> to keep it.
        /// </summary>
        public IEnumerable<CsvRecord> ReadRecords(Action<CsvRowProblem>? problems = null, CancellationToken cancellationToken = default)
        {
            var record = new CsvRecord(this);
            while (Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                _row++;

                // A row of empty or whitespace-only fields (",,,," as spreadsheets leave below the data, or a line of
                // spaces) holds no worker: skipped like a blank line, so it cannot pass for a record without an externalId.
                if (AllFieldsBlank())
                {
                    continue;
                }

                int count = _parser.Count;
                if (count != Header.Count)
                {
                    problems?.Invoke(new CsvRowProblem(
                        _source,
                        _row,
                        _parser.RawRow,
                        $"'{_source}', row {_row} (line {_parser.RawRow}): has {count} field(s) but the header has {Header.Count}; the row is skipped. Check for an unbalanced quote or a stray delimiter."));
                    continue;
                }

                record.Reset(_row);
                yield return record;
            }
        }

        internal string ReadField(int index) => _parser[index];

        /// <summary>True when every field of the current row is empty or whitespace (usually decided by the first field).</summary>
        private bool AllFieldsBlank()
        {
            for (int i = 0; i < _parser.Count; i++)
            {
                if (!string.IsNullOrWhiteSpace(_parser[i]))
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>The current row as it stands in the file (its fields, delimiters and quotes).</summary>
        internal string RawRecord => _parser.RawRecord;

        /// <summary>Advances the parser; CsvHelper's own exceptions become <see cref="CsvFormatException"/> naming the file and line.</summary>
        private bool Read()
        {
            try
            {
                return _parser.Read();
            }
            catch (CsvHelperException ex)
            {
                throw new CsvFormatException($"'{_source}' could not be read after row {_row} (line {_parser.RawRow}): {ex.Message}", ex);
            }
        }

        /// <inheritdoc />
        public void Dispose()
        {
            _parser.Dispose();
            _reader.Dispose();
        }

        private static StreamReader OpenFile(string path, CsvReadOptions options)
        {
            var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            return new StreamReader(stream, options.Encoding, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        }
    }
}
