using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using EntraInboundProvisioning.Sources;
using Xunit;

namespace EntraInboundProvisioning.Tests.Sources
{
    public class CsvRecordReaderTests
    {
        private static List<Dictionary<string, string>> Read(string path, CsvReadOptions? options, List<CsvRowProblem>? problems = null)
        {
            using var reader = new CsvRecordReader(path, options);
            return reader.ReadRecords(problems is null ? null : problems.Add)
                .Select(r => r.FieldNames.Select((n, i) => (n, v: r.GetField(i))).ToDictionary(p => p.n, p => p.v))
                .ToList();
        }

        private static string Write(string content, Encoding encoding)
        {
            string path = Path.Combine(Path.GetTempPath(), $"eip-{System.Guid.NewGuid():N}.csv");
            File.WriteAllText(path, content, encoding);
            return path;
        }

        [Fact]
        public void ReadsQuotedFieldsWithCommasQuotesAndNewlines()
        {
            string path = Write("Id,Address,Note\n1,\"221 Acme Way, Suite 4\nNew York\",\"said \"\"hi\"\"\"\n2,plain,\n", new UTF8Encoding(false));
            var rows = Read(path, null);
            Assert.Equal(2, rows.Count);
            Assert.Equal("221 Acme Way, Suite 4\nNew York", rows[0]["Address"]);
            Assert.Equal("said \"hi\"", rows[0]["Note"]);
            Assert.Equal(string.Empty, rows[1]["Note"]);
        }

        [Fact]
        public void StripsTheByteOrderMarkFromTheFirstColumnName()
        {
            string path = Write("WorkerID,Name\n1,A\n", new UTF8Encoding(true));
            using var reader = new CsvRecordReader(path);
            Assert.Equal("WorkerID", reader.Header.Names[0]);
            Assert.Equal(0, reader.Header.IndexOf("workerid"));
        }

        [Fact]
        public void HonoursDelimiterAndEncoding()
        {
            var latin1 = Encoding.GetEncoding("iso-8859-1");
            string path = Write("Id;Name\n1;Zoë Ærø\n", latin1);
            var rows = Read(path, new CsvReadOptions { Delimiter = ";", Encoding = latin1 });
            Assert.Equal("Zoë Ærø", rows[0]["Name"]);

            // A UTF-16 file with a BOM is detected whatever encoding was asked for.
            string utf16 = Write("Id,Name\n1,Zoë\n", new UnicodeEncoding(false, true));
            Assert.Equal("Zoë", Read(utf16, null)[0]["Name"]);
        }

        [Fact]
        public void ARowWithTheWrongFieldCountIsReportedWithRowAndLineAndSkipped()
        {
            string path = Write("Id,Name\n1,A\n2,\"B\nC\"\n3,D,extra\n4,E\n", new UTF8Encoding(false));
            var problems = new List<CsvRowProblem>();
            var rows = Read(path, null, problems);
            Assert.Equal(new[] { "1", "2", "4" }, rows.Select(r => r["Id"]));
            CsvRowProblem problem = Assert.Single(problems);
            Assert.Equal(3, problem.Row);
            Assert.Equal(5, problem.Line);
            Assert.Contains(path, problem.Message);
            Assert.Contains("3 field(s)", problem.Message);
        }

        [Fact]
        public void RowsOfEmptyFieldsAreSkippedLikeBlankLinesAndKeepTheirRowNumbers()
        {
            // What a spreadsheet leaves below the data, and a line of spaces: no worker in either, so no error either.
            string path = Write("Id,Name,Title\n1,A,x\n,,\n  ,\t, \n   \n2,B,y\n,,\n", new UTF8Encoding(false));
            var problems = new List<CsvRowProblem>();
            using var reader = new CsvRecordReader(path);
            var rows = reader.ReadRecords(problems.Add).Select(r => (r.Number, Id: r.GetField(0))).ToList();
            Assert.Equal(new[] { (1L, "1"), (5L, "2") }, rows);
            Assert.Empty(problems);
        }

        [Fact]
        public void AFileOfOnlyWhitespaceOrDelimitersIsEmptyNotAColumnOfSpaces()
        {
            foreach (string content in new[] { "   \n", " \n\t\n", ",,,\n" })
            {
                string path = Write(content, new UTF8Encoding(false));
                CsvFormatException ex = Assert.Throws<CsvFormatException>(() => new CsvRecordReader(path));
                Assert.True(ex.IsEmpty);
            }

            // Blank lines above the header are skipped; the header is the first line with a name in it.
            using var reader = new CsvRecordReader(Write(" ,\nId,Name\n1,A\n", new UTF8Encoding(false)));
            Assert.Equal(new[] { "Id", "Name" }, reader.Header.Names);
        }

        [Fact]
        public void RefusesDuplicateColumnNamesAndEmptyFiles()
        {
            string duplicate = Write("Id,Name,name\n", new UTF8Encoding(false));
            var ex = Assert.Throws<CsvFormatException>(() => new CsvRecordReader(duplicate));
            Assert.Contains("'name'", ex.Message);
            Assert.Contains(duplicate, ex.Message);

            string empty = Write(string.Empty, new UTF8Encoding(false));
            Assert.Throws<CsvFormatException>(() => new CsvRecordReader(empty));
        }

        [Fact]
        public void FieldLookupIsCaseInsensitiveAndRecordsCanBeDetached()
        {
            using var reader = new CsvRecordReader(new StringReader("Id,FirstName\n1,Ann\n2,Bo\n"), "inline");
            var detached = new List<CsvRecord>();
            foreach (CsvRecord record in reader.ReadRecords())
            {
                Assert.True(record.TryGetValue("FIRSTNAME", out object? value));
                Assert.NotNull(value);
                Assert.False(record.TryGetValue("Missing", out _));
                detached.Add(record.Detach());
            }

            Assert.Equal(new[] { "Ann", "Bo" }, detached.Select(r => r.GetField(1)));
            Assert.Equal(new long[] { 1, 2 }, detached.Select(r => r.Number));
        }
    }
}
