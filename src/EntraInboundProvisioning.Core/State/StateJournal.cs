using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text.Json;
using EntraInboundProvisioning.Scim;

namespace EntraInboundProvisioning.State
{
    /// <summary>
    /// <c>&lt;state&gt;.journal</c>: one line per request the service accepted, with the facts of each of its records,
    /// on disk before the run moves on. A run killed before it saved the state leaves its acceptances here; the next
    /// open replays them, so nothing accepted is forgotten. Commit removes it.
    /// </summary>
    internal sealed class StateJournal : IDisposable
    {
        private readonly string _path;
        private FileStream? _file;

        public StateJournal(string path) => _path = path;

        private readonly object _gate = new object();

        /// <summary>What a replay found: the records and requests of a run that ended before it saved, and when.</summary>
        internal readonly struct Replayed
        {
            public Replayed(int records, int requests, int calls, DateTimeOffset? first, DateTimeOffset? last)
            {
                Records = records;
                Requests = requests;
                Calls = calls;
                First = first;
                Last = last;
            }

            /// <summary>Calls to bulkUpload the run had begun (at least its accepted requests): what it took from the daily quota.</summary>
            public int Calls { get; }

            /// <summary>True when the journal holds a run: one that got requests accepted, or only made calls.</summary>
            public bool Ran => Requests > 0 || Calls > 0;

            public int Records { get; }

            public int Requests { get; }

            public DateTimeOffset? First { get; }

            public DateTimeOffset? Last { get; }

            /// <summary>The run as a run record: what it got accepted, counted from the journal.</summary>
            public RunRecord ToRunRecord() => new RunRecord
            {
                StartedAt = First ?? default,
                CompletedAt = Last ?? default,
                Requests = Requests,
                Accepted = Requests,
                AcceptedRecords = Records,
                Calls = Math.Max(Calls, Requests),
                Stopped = true,
                Recovered = true,
            };
        }

        /// <summary>
        /// Notes that the run is about to make its <paramref name="calls"/>th call to bulkUpload, so a run killed with
        /// calls in flight still counts them against the daily quota when it is recovered. Handed to the operating system,
        /// not forced to disk: kill -9 loses nothing written so, and a power cut only under-counts, as before.
        /// </summary>
        public void AppendCalls(long at, int calls)
        {
            byte[] line = System.Text.Encoding.UTF8.GetBytes(string.Format(CultureInfo.InvariantCulture, "{{\"at\":{0},\"calls\":{1}}}\n", at, calls));
            lock (_gate)
            {
                _file ??= new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read, 4096);
                _file.Write(line, 0, line.Length);
                _file.Flush(flushToDisk: false);
            }
        }

        /// <summary>Appends an accepted request's records and flushes them to disk.</summary>
        public void Append(long at, IReadOnlyList<OperationFacts> records)
        {
            using var buffer = new MemoryStream();
            using (var writer = new Utf8JsonWriter(buffer))
            {
                writer.WriteStartObject();
                writer.WriteNumber("at", at);
                writer.WriteStartArray("records");
                foreach (OperationFacts record in records)
                {
                    writer.WriteStartObject();
                    writer.WriteString("x", record.ExternalId);
                    if (record.UserName is not null)
                    {
                        writer.WriteString("u", record.UserName);
                    }

                    writer.WriteString("h", record.Hash.ToString("x16", CultureInfo.InvariantCulture));
                    if (record.InputHash != 0)
                    {
                        writer.WriteString("i", record.InputHash.ToString("x16", CultureInfo.InvariantCulture));
                    }

                    writer.WriteBoolean("a", record.Active);
                    writer.WriteBoolean("l", record.Left);
                    if (record.Source is not null)
                    {
                        writer.WriteString("s", record.Source);
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            buffer.WriteByte((byte)'\n');
            lock (_gate)
            {
                _file ??= new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.Read, 4096);
                _file.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
                _file.Flush(flushToDisk: true);
            }
        }

        /// <summary>Applies what an interrupted run journaled, oldest first; a line cut short by the crash is skipped (its request is re-sent, which is safe).</summary>
        /// <exception cref="StateLockedException">Another process holds the journal open.</exception>
        public static Replayed Replay(string path, Action<OperationFacts, long> apply)
        {
            try
            {
                return ReplayLines(path, apply);
            }
            catch (IOException ex) when (StateLockedException.IsHeldElsewhere(ex))
            {
                throw StateLockedException.For(path, ex);
            }
        }

        private static Replayed ReplayLines(string path, Action<OperationFacts, long> apply)
        {
            int records = 0;
            int requests = 0;
            int calls = 0;
            long first = long.MaxValue;
            long last = long.MinValue;
            Internal.JsonLines.Read(path, line =>
            {
                long at = line.GetProperty("at").GetInt64();
                first = Math.Min(first, at);
                last = Math.Max(last, at);
                if (line.TryGetProperty("calls", out JsonElement made))
                {
                    calls = Math.Max(calls, made.GetInt32()); // a call about to be made, not an acceptance
                    return;
                }

                var facts = new List<OperationFacts>();
                foreach (JsonElement record in line.GetProperty("records").EnumerateArray())
                {
                    facts.Add(new OperationFacts(
                        record.GetProperty("x").GetString()!,
                        record.TryGetProperty("u", out JsonElement u) ? u.GetString() : null,
                        record.GetProperty("a").GetBoolean(),
                        record.TryGetProperty("l", out JsonElement l) && l.GetBoolean(),
                        Hex(record.GetProperty("h")),
                        record.TryGetProperty("i", out JsonElement i) ? Hex(i) : 0,
                        record.TryGetProperty("s", out JsonElement s) ? s.GetString() : null));
                }

                // Applied only once the whole line has been read: a line is one request, accepted whole.
                foreach (OperationFacts fact in facts)
                {
                    apply(fact, at);
                }

                records += facts.Count;
                requests++;
            });

            return requests == 0 && calls == 0
                ? default
                : new Replayed(records, requests, calls, DateTimeOffset.FromUnixTimeSeconds(first), DateTimeOffset.FromUnixTimeSeconds(last));
        }

        /// <summary>Removes the journal (after a commit wrote what it held into the state).</summary>
        public void Delete()
        {
            _file?.Dispose();
            _file = null;
            File.Delete(_path);
        }

        public void Dispose() => _file?.Dispose();

        private static ulong Hex(JsonElement element) => ulong.Parse(element.GetString()!, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
    }
}
