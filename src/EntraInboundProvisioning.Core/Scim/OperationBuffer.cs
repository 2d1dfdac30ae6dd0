using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>
    /// Holds converted operations (UTF-8 JSON) that cannot be sent yet: a run waits for the whole input before it
    /// knows which row of a repeated worker wins, which managers come first, and (with a state) who left. The first
    /// <see cref="MemoryLimit"/> bytes stay in memory; the rest goes to a temporary file, encrypted with a key that
    /// exists only in this process (AES-256 in counter mode), so a crash never leaves readable worker data behind.
    /// Not thread-safe.
    /// </summary>
    internal sealed class OperationBuffer : IDisposable
    {
        /// <summary>Bytes per chunk; an entry never straddles two chunks.</summary>
        internal const int ChunkSize = 1 << 20;

        private const int OffsetBits = 24; // offsets within a chunk, up to 16 MB (an entry larger than a chunk gets a chunk of its own)
        private const int MaxEntry = (1 << OffsetBits) - 1;

        // Waiting operations are released in input order, which is file order. When those released together sit close
        // together (a team that waited for its manager), reading ahead serves the next ones; when they are scattered
        // (reports of many managers), it only costs. The read-ahead grows while it serves and shrinks while it does not.
        private const int WindowSize = 64 * 1024;

        private readonly List<byte[]?> _chunks = new List<byte[]?>();
        private readonly List<long> _fileOffsets = new List<long>();
        private readonly string _directory;
        private byte[] _current;
        private int _used;
        private long _memoryBytes;
        private FileStream? _file;
        private CounterModeCipher? _cipher;
        private byte[] _window = new byte[WindowSize];
        private long _windowStart = -1;
        private int _windowLength;
        private int _readAhead;
        private int _hits;
        private byte[] _entry = new byte[4096];
        private long _fileLength;
        private byte[]? _spare; // a spilled chunk's array, reused: fresh 1 MB arrays on the large object heap would force full GCs

        public OperationBuffer(long memoryLimit, string? spillDirectory = null)
        {
            MemoryLimit = memoryLimit;
            _directory = spillDirectory ?? Path.GetTempPath();
            _current = new byte[ChunkSize];
            _chunks.Add(_current);
            _fileOffsets.Add(-1);
        }

        /// <summary>Bytes kept in memory before chunks go to the temporary file.</summary>
        public long MemoryLimit { get; }

        /// <summary>Bytes written to the temporary file so far (0 when everything fit in memory).</summary>
        public long SpilledBytes { get; private set; }

        /// <summary>The temporary file, while there is one (for tests).</summary>
        internal string? SpillPath => _file?.Name;

        /// <summary>Appends an entry and returns its reference.</summary>
        public long Append(ReadOnlySpan<byte> entry)
        {
            if (entry.Length > MaxEntry)
            {
                throw new InvalidOperationException($"One operation is {entry.Length:N0} bytes of JSON; the limit is {MaxEntry:N0}.");
            }

            if (_used + entry.Length > _current.Length)
            {
                Seal();
                _current = _spare is not null && _spare.Length >= entry.Length ? _spare : new byte[Math.Max(ChunkSize, entry.Length)];
                _spare = null;
                _used = 0;
                _chunks.Add(_current);
                _fileOffsets.Add(-1);
            }

            long reference = ((long)(_chunks.Count - 1) << OffsetBits) | (uint)_used;
            entry.CopyTo(_current.AsSpan(_used));
            _used += entry.Length;
            return reference;
        }

        /// <summary>Reads an entry back. The segment is valid until the next call.</summary>
        public ArraySegment<byte> Read(long reference, int length)
        {
            int chunk = (int)(reference >> OffsetBits);
            int offset = (int)(reference & MaxEntry);
            byte[]? memory = _chunks[chunk];
            if (memory is not null)
            {
                return new ArraySegment<byte>(memory, offset, length);
            }

            long position = _fileOffsets[chunk] + offset;
            if (_windowStart < 0 || position < _windowStart || position + length > _windowStart + _windowLength)
            {
                _readAhead = _hits >= 2 ? Math.Min(WindowSize, Math.Max(4096, _readAhead * 2)) : _hits == 0 ? _readAhead / 4 : _readAhead;
                _hits = 0;
                Fill(position, length);
            }
            else
            {
                _hits++;
            }

            // The window holds the file's bytes as they are; only the entry served is decrypted.
            if (_entry.Length < length)
            {
                _entry = new byte[Math.Max(length, _entry.Length * 2)];
            }

            Buffer.BlockCopy(_window, (int)(position - _windowStart), _entry, 0, length);
            _cipher!.Apply(_entry, 0, length, position);
            return new ArraySegment<byte>(_entry, 0, length);
        }

        /// <summary>Reads and decrypts the file from <paramref name="position"/> into the window: the entry, and what follows it.</summary>
        private void Fill(long position, int length)
        {
            if (_window.Length < length)
            {
                _window = new byte[length];
            }

            int wanted = (int)Math.Min(Math.Min(_window.Length, length + _readAhead), _fileLength - position);
            _file!.Position = position;
            int read = 0;
            while (read < wanted)
            {
                int n = _file.Read(_window, read, wanted - read);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            if (read < length)
            {
                throw new EndOfStreamException("The operation buffer's temporary file is shorter than expected.");
            }

            _windowStart = position;
            _windowLength = read;
        }

        /// <summary>Keeps the filled chunk in memory while under the limit; otherwise moves it to the encrypted file.</summary>
        private void Seal()
        {
            int index = _chunks.Count - 1;
            if (_memoryBytes + _current.Length <= MemoryLimit)
            {
                _memoryBytes += _current.Length;
                return;
            }

            if (_file is null)
            {
                string path = Path.Combine(_directory, $"EntraInboundProvisioning-{Guid.NewGuid():N}.tmp");
                // Unbuffered: reads are of single entries at scattered positions, writes are whole chunks.
                _file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
                _cipher = new CounterModeCipher();
            }

            long position = _fileLength;
            _cipher!.Apply(_current, 0, _used, position);
            _file.Position = position;
            _file.Write(_current, 0, _used);
            _fileLength = position + _used;
            SpilledBytes += _used;
            _fileOffsets[index] = position;
            _chunks[index] = null;
            _spare = _current;
        }

        /// <inheritdoc />
        public void Dispose()
        {
            _file?.Dispose();
            _cipher?.Dispose();
            _chunks.Clear();
        }

        /// <summary>
        /// AES-256 in counter mode with a random key and nonce: the keystream for a byte depends only on its position
        /// in the file, so any range can be encrypted or decrypted on its own.
        /// </summary>
        private sealed class CounterModeCipher : IDisposable
        {
            private readonly Aes _aes;
            private readonly ICryptoTransform _block;
            private readonly byte[] _nonce = new byte[8];
            private byte[] _counters = new byte[4096];
            private byte[] _keystream = new byte[4096];

            public CounterModeCipher()
            {
                _aes = Aes.Create();
                _aes.KeySize = 256;
                _aes.GenerateKey();
#pragma warning disable CA5358 // ECB encrypts single counter blocks here: that is how counter mode is built.
                _aes.Mode = CipherMode.ECB;
#pragma warning restore CA5358
                _aes.Padding = PaddingMode.None;
                using (var random = RandomNumberGenerator.Create())
                {
                    random.GetBytes(_nonce);
                }

                _block = _aes.CreateEncryptor();
            }

            /// <summary>XORs data[offset..offset+count) with the keystream at file position <paramref name="position"/>.</summary>
            public void Apply(byte[] data, int offset, int count, long position)
            {
                long firstBlock = position / 16;
                int skip = (int)(position % 16);
                int blocks = (skip + count + 15) / 16;
                int bytes = blocks * 16;
                if (_counters.Length < bytes)
                {
                    _counters = new byte[bytes];
                    _keystream = new byte[bytes];
                }

                for (int b = 0; b < blocks; b++)
                {
                    int at = b * 16;
                    Buffer.BlockCopy(_nonce, 0, _counters, at, 8);
                    ulong counter = (ulong)(firstBlock + b);
                    for (int i = 0; i < 8; i++)
                    {
                        _counters[at + 15 - i] = (byte)(counter >> (8 * i));
                    }
                }

                _block.TransformBlock(_counters, 0, bytes, _keystream, 0);
                Span<byte> target = data.AsSpan(offset, count);
                ReadOnlySpan<byte> stream = _keystream.AsSpan(skip, count);
                Span<ulong> wide = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(target);
                ReadOnlySpan<ulong> wideStream = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(stream);
                for (int i = 0; i < wide.Length; i++)
                {
                    wide[i] ^= wideStream[i];
                }

                for (int i = wide.Length * 8; i < count; i++)
                {
                    target[i] ^= stream[i];
                }
            }

            public void Dispose()
            {
                _block.Dispose();
                _aes.Dispose();
            }
        }
    }
}
