using System;
using System.IO;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EntraInboundProvisioning.State
{
    /// <summary>
    /// The state file: "EIPSTATE", a format number, a JSON header (job, counts, the last run), the workers
    /// (deflate-compressed records) and a SHA-256 of everything before it, so a truncated or damaged copy (a blob
    /// download cut short) is refused rather than read as a smaller company. Written next to the file and renamed
    /// over it, so a crash leaves the old file or the new one, never a torn one.
    /// </summary>
    internal static class StateFile
    {
        // 1: flags, hash, acceptedAt, externalId, userName. 2 adds the input hash, the source and the last cycle error.
        private const int Format = 2;
        private static readonly byte[] Magic = Encoding.ASCII.GetBytes("EIPSTATE");

        /// <summary>Reads a state file.</summary>
        /// <exception cref="InvalidDataException">The file is not a state file, is of a newer format, or is damaged.</exception>
        /// <param name="path">The file.</param>
        /// <param name="indexed">False for a table that is walked, never searched (a report): loads faster.</param>
        public static (WorkerStateTable Table, JsonObject Header) Read(string path, bool indexed = true)
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
            if (file.Length < Magic.Length + 2 + 4 + 32)
            {
                throw new InvalidDataException($"'{path}' is not a provisioning state file (it is {file.Length} bytes long).");
            }

            VerifyChecksum(file, path);
            file.Position = 0;
            var reader = new BinaryReader(file, Encoding.UTF8, leaveOpen: true);
            byte[] magic = reader.ReadBytes(Magic.Length);
            if (!magic.AsSpan().SequenceEqual(Magic))
            {
                throw new InvalidDataException($"'{path}' is not a provisioning state file.");
            }

            int format = reader.ReadUInt16();
            if (format > Format)
            {
                throw new InvalidDataException($"'{path}' was written by a newer version of the module (state format {format}); update the module.");
            }

            int headerLength = reader.ReadInt32();
            JsonObject header = JsonNode.Parse(reader.ReadBytes(headerLength)) as JsonObject ?? throw new InvalidDataException($"'{path}' has no header.");
            long bodyEnd = file.Length - 32;
            var table = new WorkerStateTable();
            using (var body = new DeflateStream(new BoundedStream(file, bodyEnd - file.Position), CompressionMode.Decompress))
            using (var records = new BinaryReader(new BufferedStream(body, 1 << 16), Encoding.UTF8))
            {
                long count = header["workers"]?.GetValue<long>() ?? 0;
                byte[] names = new byte[1024];
                for (long i = 0; i < count; i++)
                {
                    var flags = (WorkerStateFlags)records.ReadByte();
                    ulong hash = records.ReadUInt64();
                    ulong inputHash = format >= 2 ? records.ReadUInt64() : 0;
                    long acceptedAt = records.ReadInt64();
                    byte source = format >= 2 ? records.ReadByte() : (byte)0;

                    // The names stay UTF-8 from the file to the table's pool: no string is made of them here.
                    int externalId = ReadName(records, ref names, 0);
                    int userName = ReadName(records, ref names, externalId);
                    int lastError = format >= 2 ? ReadName(records, ref names, externalId + userName) : 0;
                    table.Load(names, (externalId, userName, lastError), hash, inputHash, acceptedAt, flags, source, indexed);
                }
            }

            return (table, header);
        }

        /// <summary>
        /// Reads a string as BinaryWriter wrote it (its UTF-8 length in 7-bit groups, then the bytes) into
        /// <paramref name="buffer"/> at <paramref name="offset"/>, growing it; returns the length.
        /// </summary>
        private static int ReadName(BinaryReader reader, ref byte[] buffer, int offset)
        {
            int length = 0;
            for (int shift = 0; ; shift += 7)
            {
                if (shift > 28)
                {
                    throw new InvalidDataException("The state file has a malformed name length.");
                }

                byte part = reader.ReadByte();
                length |= (part & 0x7F) << shift;
                if ((part & 0x80) == 0)
                {
                    break;
                }
            }

            if (offset + length > buffer.Length)
            {
                Array.Resize(ref buffer, Math.Max(buffer.Length * 2, offset + length));
            }

            for (int read = 0; read < length;)
            {
                int got = reader.Read(buffer, offset + read, length - read);
                if (got == 0)
                {
                    throw new EndOfStreamException();
                }

                read += got;
            }

            return length;
        }

        /// <summary>Writes the state to a file beside <paramref name="path"/>, flushes it to disk, and renames it over <paramref name="path"/>.</summary>
        public static void Write(string path, WorkerStateTable table, JsonObject header)
        {
            string full = Path.GetFullPath(path);
            string temporary = StateFiles.Temporary(full);
            header["format"] = Format;
            header["workers"] = table.Count;
            try
            {
                using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
                {
                    using (var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                    {
                        var hashing = new HashingStream(file, sha);
                        var writer = new BinaryWriter(hashing, Encoding.UTF8, leaveOpen: true);
                        writer.Write(Magic);
                        writer.Write((ushort)Format);
                        byte[] json = Encoding.UTF8.GetBytes(header.ToJsonString());
                        writer.Write(json.Length);
                        writer.Write(json);
                        writer.Flush();
                        using (var body = new DeflateStream(hashing, CompressionLevel.Fastest, leaveOpen: true))
                        using (var records = new BinaryWriter(new BufferedStream(body, 1 << 16), Encoding.UTF8))
                        {
                            for (int p = 0; p < table.Count; p++)
                            {
                                ref WorkerStateEntry entry = ref table[p];
                                records.Write((byte)entry.Flags);
                                records.Write(entry.Hash);
                                records.Write(entry.InputHash);
                                records.Write(entry.AcceptedAt);
                                records.Write(entry.Source);
                                records.Write(table.ExternalId(p));
                                records.Write(table.UserName(p));
                                records.Write(table.LastError(p));
                            }
                        }

                        file.Write(sha.GetHashAndReset(), 0, 32);
                    }

                    file.Flush(flushToDisk: true);
                }

                Replace(temporary, full);
            }
            finally
            {
                if (File.Exists(temporary))
                {
                    File.Delete(temporary);
                }
            }
        }

        private static void Replace(string source, string destination)
        {
            // A rename within one folder is atomic: readers see the old file or the new one.
            if (File.Exists(destination))
            {
                File.Replace(source, destination, null, ignoreMetadataErrors: true);
            }
            else
            {
                File.Move(source, destination);
            }
        }

        private static void VerifyChecksum(FileStream file, string path)
        {
            long end = file.Length - 32;
            using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            byte[] buffer = new byte[1 << 16];
            file.Position = 0;
            long left = end;
            while (left > 0)
            {
                int n = file.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
                if (n == 0)
                {
                    break;
                }

                sha.AppendData(buffer, 0, n);
                left -= n;
            }

            byte[] expected = new byte[32];
            file.Position = end;
            int read = 0;
            while (read < 32)
            {
                int n = file.Read(expected, read, 32 - read);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            if (!sha.GetHashAndReset().AsSpan().SequenceEqual(expected))
            {
                throw new InvalidDataException($"'{path}' is damaged or incomplete (its checksum does not match), for example a copy cut short. Restore the last good copy; the module will not guess which workers it held.");
            }
        }

        /// <summary>Passes writes through and hashes them.</summary>
        private sealed class HashingStream : Stream
        {
            private readonly Stream _inner;
            private readonly IncrementalHash _hash;

            public HashingStream(Stream inner, IncrementalHash hash)
            {
                _inner = inner;
                _hash = hash;
            }

            public override bool CanRead => false;

            public override bool CanSeek => false;

            public override bool CanWrite => true;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override void Write(byte[] buffer, int offset, int count)
            {
                _hash.AppendData(buffer, offset, count);
                _inner.Write(buffer, offset, count);
            }

            public override void Flush() => _inner.Flush();

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();
        }

        /// <summary>Reads at most a given number of bytes of another stream (the body, before the checksum).</summary>
        private sealed class BoundedStream : Stream
        {
            private readonly Stream _inner;
            private long _left;

            public BoundedStream(Stream inner, long length)
            {
                _inner = inner;
                _left = length;
            }

            public override bool CanRead => true;

            public override bool CanSeek => false;

            public override bool CanWrite => false;

            public override long Length => throw new NotSupportedException();

            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

            public override int Read(byte[] buffer, int offset, int count)
            {
                if (_left <= 0)
                {
                    return 0;
                }

                int n = _inner.Read(buffer, offset, (int)Math.Min(count, _left));
                _left -= n;
                return n;
            }

            public override void Flush()
            {
            }

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        }
    }
}
