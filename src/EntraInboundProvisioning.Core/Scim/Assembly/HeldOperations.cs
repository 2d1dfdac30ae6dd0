using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.Text;
using EntraInboundProvisioning.Internal;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>What became of a held row.</summary>
    internal enum HeldState : byte
    {
        /// <summary>Held until the input ends (pipeline input).</summary>
        Held,
        /// <summary>Waiting for the request of the worker's manager to complete.</summary>
        Waiting,
        /// <summary>Written into a request.</summary>
        Placed,
        /// <summary>Not sent: the row had errors.</summary>
        NotSent,
        /// <summary>Not sent: unchanged since the service last accepted it.</summary>
        Unchanged,
        /// <summary>Another row of the same worker is sent.</summary>
        Superseded,
    }

    /// <summary>An operation kept in the buffer: waiting for its manager, or (pipeline input) for the end.</summary>
    internal struct Held
    {
        public long Ordinal;
        public long Row;
        public long Data;
        public int Length;
        public int Worker;
        public int Source;
        public int NextWaiter;
        public OperationKind Kind;
        public HeldState State;
    }

    /// <summary>
    /// Operations a run keeps before writing them, with their facts, in an <see cref="OperationBuffer"/> (which spills to
    /// an encrypted temporary file when large): [externalId][userName][hash][input hash][active, left][source][data].
    /// A row that is not sent keeps only its place.
    /// </summary>
    internal sealed class HeldOperations : IDisposable
    {
        private readonly ConversionOptions _options;
        private readonly ChunkedList<Held> _held = new ChunkedList<Held>();
        private readonly List<string?> _factSources = new List<string?>();
        private OperationBuffer? _buffer;
        private byte[] _scratch = new byte[4096];

        public HeldOperations(ConversionOptions options) => _options = options;

        public int Count => _held.Count;

        public ref Held this[int h] => ref _held[h];

        /// <summary>Bytes written to the encrypted temporary file.</summary>
        public long SpilledBytes => _buffer?.SpilledBytes ?? 0;

        public int Hold(int worker, in OperationFacts? facts, int source, long row, ReadOnlySpan<byte> data, OperationKind kind, long ordinal)
        {
            int h = _held.Add(new Held { Worker = worker, Source = source, Row = row, Kind = kind, NextWaiter = WorkerRegistry.None, Ordinal = ordinal, State = HeldState.Held });
            if (facts is not OperationFacts f)
            {
                return h;
            }

            int idLength = Encoding.UTF8.GetByteCount(f.ExternalId);
            int userLength = f.UserName is null ? 0 : Encoding.UTF8.GetByteCount(f.UserName);
            int length = 2 + idLength + 2 + userLength + 8 + 8 + 1 + 1 + data.Length;
            if (_scratch.Length < length)
            {
                _scratch = new byte[Math.Max(length, _scratch.Length * 2)];
            }

            int at = 0;
            _scratch[at++] = (byte)(idLength >> 8);
            _scratch[at++] = (byte)idLength;
            at += Encoding.UTF8.GetBytes(f.ExternalId, 0, f.ExternalId.Length, _scratch, at);
            int userField = f.UserName is null ? ushort.MaxValue : userLength;
            _scratch[at++] = (byte)(userField >> 8);
            _scratch[at++] = (byte)userField;
            at += f.UserName is null ? 0 : Encoding.UTF8.GetBytes(f.UserName, 0, f.UserName.Length, _scratch, at);
            BinaryPrimitives.WriteUInt64LittleEndian(_scratch.AsSpan(at), f.Hash);
            BinaryPrimitives.WriteUInt64LittleEndian(_scratch.AsSpan(at + 8), f.InputHash);
            at += 16;
            _scratch[at++] = (byte)((f.Active ? 1 : 0) | (f.Left ? 2 : 0));
            _scratch[at++] = FactSource(f.Source);
            data.CopyTo(_scratch.AsSpan(at));
            _buffer ??= new OperationBuffer(_options.MemoryBufferBytes, _options.SpillDirectory);
            _held[h].Data = _buffer.Append(_scratch.AsSpan(0, length));
            _held[h].Length = length;
            return h;
        }

        /// <summary>Reads back what <see cref="Hold"/> kept: the facts, and the data (valid until the buffer is read again).</summary>
        public OperationFacts Read(int h, out ReadOnlySpan<byte> data)
        {
            ArraySegment<byte> entry = _buffer!.Read(_held[h].Data, _held[h].Length);
            byte[] bytes = entry.Array!;
            int at = entry.Offset;
            int idLength = (bytes[at] << 8) | bytes[at + 1];
            string externalId = Encoding.UTF8.GetString(bytes, at + 2, idLength);
            at += 2 + idLength;
            int userField = (bytes[at] << 8) | bytes[at + 1];
            string? userName = userField == ushort.MaxValue ? null : Encoding.UTF8.GetString(bytes, at + 2, userField);
            at += 2 + (userField == ushort.MaxValue ? 0 : userField);
            ulong hash = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at));
            ulong inputHash = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(at + 8));
            at += 16;
            byte flags = bytes[at++];
            string? source = _factSources[bytes[at++]];
            data = new ReadOnlySpan<byte>(bytes, at, entry.Offset + entry.Count - at);
            return new OperationFacts(externalId, userName, (flags & 1) != 0, (flags & 2) != 0, hash, inputHash, source);
        }

        /// <summary>The externalId of a held operation (for messages).</summary>
        public string ExternalIdOf(int h)
        {
            ArraySegment<byte> entry = _buffer!.Read(_held[h].Data, _held[h].Length);
            byte[] bytes = entry.Array!;
            int idLength = (bytes[entry.Offset] << 8) | bytes[entry.Offset + 1];
            return Encoding.UTF8.GetString(bytes, entry.Offset + 2, idLength);
        }

        public void Dispose() => _buffer?.Dispose();

        private byte FactSource(string? source)
        {
            int index = _factSources.IndexOf(source);
            if (index < 0)
            {
                _factSources.Add(source);
                index = _factSources.Count - 1;
            }

            return (byte)index;
        }
    }
}
