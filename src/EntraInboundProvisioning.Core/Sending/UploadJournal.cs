using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;

namespace EntraInboundProvisioning.Sending
{
    /// <summary>
    /// A JSON-lines file with one line per accepted bulk request (time, job, externalIds, request ids), flushed as
    /// each request is accepted, so a crashed or stopped run can resume without sending anything twice and the
    /// provisioning logs can be checked for exactly these records later.
    /// </summary>
    public sealed class UploadJournal : IDisposable
    {
        private readonly StreamWriter _writer;
        private readonly object _gate = new object();

        private UploadJournal(string path, HashSet<string> accepted, int acceptedLastDay)
        {
            Path = path;
            AcceptedKeys = accepted;
            AcceptedInLast24Hours = acceptedLastDay;
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            bool endsMidLine = EndsMidLine(path);
            _writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true };
            if (endsMidLine)
            {
                // A run cut off mid-line: start on a fresh line so the next entry stays readable.
                _writer.WriteLine();
            }
        }

        /// <summary>The journal file.</summary>
        public string Path { get; }

        private HashSet<string> AcceptedKeys { get; }

        /// <summary>Accepted requests journaled in the last 24 hours (they count against the daily quota).</summary>
        public int AcceptedInLast24Hours { get; }

        /// <summary>Opens (creating) a journal and reads what it already holds; unreadable lines are skipped and counted.</summary>
        public static UploadJournal Open(string path, out int unreadableLines)
        {
            var accepted = new HashSet<string>(StringComparer.Ordinal);
            int lastDay = 0;
            unreadableLines = 0;
            if (File.Exists(path))
            {
                DateTimeOffset since = DateTimeOffset.UtcNow.AddHours(-24);
                foreach (string line in File.ReadLines(path))
                {
                    if (line.Trim().Length == 0)
                    {
                        continue;
                    }

                    try
                    {
                        using JsonDocument entry = JsonDocument.Parse(line);
                        JsonElement root = entry.RootElement;
                        string jobId = root.GetProperty("jobId").GetString() ?? string.Empty;
                        string[] ids = root.GetProperty("externalIds").EnumerateArray().Select(e => e.GetString() ?? string.Empty).ToArray();
                        accepted.Add(Key(jobId, ids));
                        if (root.TryGetProperty("acceptedAt", out JsonElement at) && DateTimeOffset.TryParse(at.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset when) && when >= since)
                        {
                            lastDay++;
                        }
                    }
                    catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
                    {
                        // A line cut short by a crash: the request it describes is sent again, which is safe.
                        unreadableLines++;
                    }
                }
            }

            return new UploadJournal(path, accepted, lastDay);
        }

        private static bool EndsMidLine(string path)
        {
            using var reader = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            if (reader.Length == 0)
            {
                return false;
            }

            reader.Seek(-1, SeekOrigin.End);
            return reader.ReadByte() != '\n';
        }

        /// <summary>Reads the externalIds of every request a journal recorded as accepted, oldest first.</summary>
        public static IReadOnlyList<string> ReadExternalIds(string path)
        {
            var ids = new List<string>();
            foreach (string line in File.ReadLines(path))
            {
                try
                {
                    using JsonDocument entry = JsonDocument.Parse(line);
                    ids.AddRange(entry.RootElement.GetProperty("externalIds").EnumerateArray().Select(e => e.GetString() ?? string.Empty));
                }
                catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
                {
                    // Skip a cut-short line.
                }
            }

            return ids;
        }

        /// <summary>The key identifying a request's content for -Resume: the job and its externalIds in order.</summary>
        public static string Key(string jobId, IEnumerable<string> externalIds) => jobId + "\u001f" + string.Join("\u001e", externalIds);

        /// <summary>True when a request with this job and these externalIds was accepted (in an earlier run, or this one).</summary>
        public bool WasAccepted(string jobId, IEnumerable<string> externalIds)
        {
            lock (_gate)
            {
                return AcceptedKeys.Contains(Key(jobId, externalIds));
            }
        }

        /// <summary>Appends an accepted request and flushes it to disk.</summary>
        public void Record(BulkUploadResult result)
        {
            var line = new StringBuilder();
            using (var buffer = new MemoryStream())
            {
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    writer.WriteStartObject();
                    writer.WriteString("acceptedAt", DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture));
                    writer.WriteString("servicePrincipalId", result.ServicePrincipalId);
                    writer.WriteString("jobId", result.JobId);
                    writer.WriteNumber("index", result.Index);
                    writer.WriteString("requestId", result.RequestId);
                    writer.WriteString("clientRequestId", result.ClientRequestId);
                    writer.WriteStartArray("externalIds");
                    foreach (string id in result.ExternalIds)
                    {
                        writer.WriteStringValue(id);
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                }

                line.Append(Encoding.UTF8.GetString(buffer.ToArray()));
            }

            lock (_gate)
            {
                _writer.WriteLine(line.ToString());
                AcceptedKeys.Add(Key(result.JobId, result.ExternalIds));
            }
        }

        /// <inheritdoc />
        public void Dispose() => _writer.Dispose();
    }
}
