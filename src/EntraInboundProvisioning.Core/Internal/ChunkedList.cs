using System;

namespace EntraInboundProvisioning.Internal
{
    /// <summary>
    /// A growable list of structs in fixed chunks of 1,024: items are reached by reference, and growing never copies
    /// or doubles, so a million workers cost their own size once. For structs of up to 80 bytes a chunk stays under
    /// the large object heap's 85,000 bytes, so chunks are compacted like any small object and never fragment it.
    /// </summary>
    internal sealed class ChunkedList<T>
        where T : struct
    {
        private const int Shift = 10;
        private const int ChunkSize = 1 << Shift;
        private const int Mask = ChunkSize - 1;

        private T[][] _chunks = new T[16][];

        /// <summary>Items added so far.</summary>
        public int Count { get; private set; }

        /// <summary>The item at an index, by reference.</summary>
        public ref T this[int index] => ref _chunks[index >> Shift][index & Mask];

        /// <summary>Adds an item and returns its index.</summary>
        public int Add(in T item)
        {
            int chunk = Count >> Shift;
            if (chunk == _chunks.Length)
            {
                Array.Resize(ref _chunks, _chunks.Length * 2);
            }

            T[] current = _chunks[chunk] ??= new T[ChunkSize];
            current[Count & Mask] = item;
            return Count++;
        }

        /// <summary>Adds items in order, a chunk's worth at a time.</summary>
        public void AddRange(ReadOnlySpan<T> items)
        {
            while (!items.IsEmpty)
            {
                int chunk = Count >> Shift;
                if (chunk == _chunks.Length)
                {
                    Array.Resize(ref _chunks, _chunks.Length * 2);
                }

                T[] current = _chunks[chunk] ??= new T[ChunkSize];
                int offset = Count & Mask;
                int taken = Math.Min(items.Length, ChunkSize - offset);
                items.Slice(0, taken).CopyTo(current.AsSpan(offset));
                Count += taken;
                items = items.Slice(taken);
            }
        }
    }
}
