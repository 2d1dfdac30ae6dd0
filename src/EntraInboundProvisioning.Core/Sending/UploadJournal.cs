using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace EntraInboundProvisioning.Sending
{
    /// <summary>
    /// A JSON-lines file with one line per accepted bulk request (time, job, externalIds, request ids, a key of its
    /// content), flushed as each request is accepted, so a crashed or stopped run can resume without sending anything
    /// twice and the provisioning logs can be checked for exactly these records later.
    /// </summary>
    public sealed class UploadJournal : IDisposable
    {
        private readonly FileStream _stream;
        private readonly StreamWriter _writer;
        private readonly object _gate = new object();
        private readonly Dictionary<string, DateTimeOffset> _accepted;

        private UploadJournal(string path, Dictionary<string, DateTimeOffset> accepted, int acceptedLastDay)
        {
            Path = path;
            _accepted = accepted;
            AcceptedInLast24Hours = acceptedLastDay;
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
            _stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
            bool endsMidLine = EndsMidLine(path);
            _writer = new StreamWriter(_stream, new UTF8Encoding(false));
            if (endsMidLine)
            {
                // A run cut off mid-line: start on a fresh line so the next entry stays readable.
                _writer.WriteLine();
                _writer.Flush();
            }
        }

        /// <summary>The journal file.</summary>
        public string Path { get; }

        /// <summary>Accepted requests journaled in the last 24 hours (they count against the daily quota).</summary>
        public int AcceptedInLast24Hours { get; }

        /// <summary>Opens (creating) a journal and reads what it already holds; unreadable lines are skipped and counted.</summary>
        public static UploadJournal Open(string path, out int unreadableLines)
        {
            // Content key → when it was last accepted. Lines of journals written before requests were known by their
            // content have no key: they still count against the quota, and their requests are sent again (safe).
            var accepted = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
            int lastDay = 0;
            DateTimeOffset since = DateTimeOffset.UtcNow.AddHours(-24);
            unreadableLines = Internal.JsonLines.Read(path, root =>
            {
                string jobId = root.GetProperty("jobId").GetString() ?? string.Empty;
                DateTimeOffset when = root.TryGetProperty("acceptedAt", out JsonElement at) && DateTimeOffset.TryParse(at.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset parsed) ? parsed : DateTimeOffset.MinValue;
                if (root.TryGetProperty("content", out JsonElement content) && content.GetString() is string key)
                {
                    accepted[Key(jobId, key)] = when;
                }

                lastDay += when >= since ? 1 : 0;
            });

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
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"The journal '{path}' does not exist.", path);
            }

            var ids = new List<string>();
            Internal.JsonLines.Read(path, root => ids.AddRange(root.GetProperty("externalIds").EnumerateArray().Select(e => e.GetString() ?? string.Empty)));
            return ids;
        }

        /// <summary>
        /// What identifies a request for -Resume: its content (a SHA-256 of the JSON exactly as sent), not the
        /// externalIds it names. The same workers with other data (a later change, a leaver's disable) are another
        /// request, which must be sent.
        /// </summary>
        public static string ContentKey(string json)
        {
            using var sha = SHA256.Create();
            byte[] hash = sha.ComputeHash(Encoding.UTF8.GetBytes(json));
            var text = new StringBuilder(32);
            for (int i = 0; i < 16; i++)
            {
                text.Append(hash[i].ToString("x2", CultureInfo.InvariantCulture));
            }

            return text.ToString();
        }

        private static string Key(string jobId, string contentKey) => jobId + "\u001f" + contentKey;

        /// <summary>
        /// True when a request of exactly this content was accepted for this job (in an earlier run, or this one), at or
        /// after <paramref name="since"/> when given.
        /// </summary>
        public bool WasAccepted(string jobId, string json, DateTimeOffset? since = null)
        {
            string key = Key(jobId, ContentKey(json));
            lock (_gate)
            {
                return _accepted.TryGetValue(key, out DateTimeOffset at) && (since is null || at >= since.Value);
            }
        }

        /// <summary>Appends an accepted request and flushes it to disk.</summary>
        public void Record(BulkUploadResult result)
        {
            string? content = result.Request is Scim.BulkRequest request ? ContentKey(request.Json) : null;
            DateTimeOffset acceptedAt = result.AcceptedAt ?? DateTimeOffset.UtcNow;
            var line = new StringBuilder();
            using (var buffer = new MemoryStream())
            {
                using (var writer = new Utf8JsonWriter(buffer))
                {
                    writer.WriteStartObject();
                    writer.WriteString("acceptedAt", acceptedAt.ToString("o", CultureInfo.InvariantCulture));
                    writer.WriteString("servicePrincipalId", result.ServicePrincipalId);
                    writer.WriteString("jobId", result.JobId);
                    writer.WriteNumber("index", result.Index);
                    writer.WriteString("requestId", result.RequestId);
                    writer.WriteString("clientRequestId", result.ClientRequestId);
                    if (content is not null)
                    {
                        writer.WriteString("content", content);
                    }

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
                // On disk before the sender moves on, as the state's journal is: one durability rule for both.
                _writer.WriteLine(line.ToString());
                _writer.Flush();
                _stream.Flush(flushToDisk: true);
                if (content is not null)
                {
                    _accepted[Key(result.JobId, content)] = acceptedAt;
                }
            }
        }

        /// <inheritdoc />
        public void Dispose() => _writer.Dispose();
    }
}
