using System;
using System.Runtime.CompilerServices;

namespace EntraInboundProvisioning.Internal
{
    /// <summary>
    /// MurmurHash3 x64 128-bit over UTF-16 code units: a fast, well-distributed, non-cryptographic hash. Used
    /// for identities of externalIds within a run (duplicate detection, stable bulkIds), where inputs are not
    /// adversarial and a 128-bit width makes accidental collisions negligible.
    /// </summary>
    internal static class Murmur3
    {
        private const ulong C1 = 0x87c37b91114253d5UL;
        private const ulong C2 = 0x4cf5ad432745937fUL;

        public static (ulong High, ulong Low) Hash128(string text, ulong seed)
        {
            ulong h1 = seed;
            ulong h2 = seed;
            int length = text.Length * 2;
            int blocks = text.Length / 8; // 8 chars = 16 bytes per block
            for (int b = 0; b < blocks; b++)
            {
                int i = b * 8;
                ulong k1 = text[i] | ((ulong)text[i + 1] << 16) | ((ulong)text[i + 2] << 32) | ((ulong)text[i + 3] << 48);
                ulong k2 = text[i + 4] | ((ulong)text[i + 5] << 16) | ((ulong)text[i + 6] << 32) | ((ulong)text[i + 7] << 48);
                Block(ref h1, ref h2, k1, k2);
            }

            ulong t1 = 0;
            ulong t2 = 0;
            int tail = blocks * 8;
            int remaining = text.Length - tail;
            for (int j = remaining - 1; j >= 0; j--)
            {
                if (j >= 4)
                {
                    t2 |= (ulong)text[tail + j] << ((j - 4) * 16);
                }
                else
                {
                    t1 |= (ulong)text[tail + j] << (j * 16);
                }
            }

            return Finish(h1, h2, t1, t2, remaining > 4, remaining > 0, (ulong)length);
        }

        /// <summary>MurmurHash3 x64 128-bit over bytes (a record's JSON, to tell whether it changed since the last run).</summary>
        public static (ulong High, ulong Low) Hash128(ReadOnlySpan<byte> data, ulong seed)
        {
            ulong h1 = seed;
            ulong h2 = seed;
            int blocks = data.Length / 16;
            ReadOnlySpan<ulong> words = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(data.Slice(0, blocks * 16));
            for (int b = 0; b < blocks; b++)
            {
                ulong k1 = words[2 * b];
                ulong k2 = words[(2 * b) + 1];
                if (!BitConverter.IsLittleEndian)
                {
                    k1 = Reverse(k1);
                    k2 = Reverse(k2);
                }

                Block(ref h1, ref h2, k1, k2);
            }

            ulong t1 = 0;
            ulong t2 = 0;
            ReadOnlySpan<byte> tail = data.Slice(blocks * 16);
            for (int j = tail.Length - 1; j >= 0; j--)
            {
                if (j >= 8)
                {
                    t2 |= (ulong)tail[j] << ((j - 8) * 8);
                }
                else
                {
                    t1 |= (ulong)tail[j] << (j * 8);
                }
            }

            return Finish(h1, h2, t1, t2, tail.Length > 8, tail.Length > 0, (ulong)data.Length);
        }

        /// <summary>Mixes one 16-byte block into the state.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Block(ref ulong h1, ref ulong h2, ulong k1, ulong k2)
        {
            k1 *= C1;
            k1 = Rotl(k1, 31);
            k1 *= C2;
            h1 ^= k1;
            h1 = Rotl(h1, 27);
            h1 += h2;
            h1 = (h1 * 5) + 0x52dce729;
            k2 *= C2;
            k2 = Rotl(k2, 33);
            k2 *= C1;
            h2 ^= k2;
            h2 = Rotl(h2, 31);
            h2 += h1;
            h2 = (h2 * 5) + 0x38495ab5;
        }

        /// <summary>Mixes the tail (the last, partial block: t1 its first 8 bytes, t2 the rest) and finalizes.</summary>
        private static (ulong High, ulong Low) Finish(ulong h1, ulong h2, ulong t1, ulong t2, bool hasT2, bool hasT1, ulong length)
        {
            if (hasT2)
            {
                t2 *= C2;
                t2 = Rotl(t2, 33);
                t2 *= C1;
                h2 ^= t2;
            }

            if (hasT1)
            {
                t1 *= C1;
                t1 = Rotl(t1, 31);
                t1 *= C2;
                h1 ^= t1;
            }

            h1 ^= length;
            h2 ^= length;
            h1 += h2;
            h2 += h1;
            h1 = Mix(h1);
            h2 = Mix(h2);
            h1 += h2;
            h2 += h1;
            return (h1, h2);
        }

        private static ulong Reverse(ulong value)
        {
            ulong result = 0;
            for (int i = 0; i < 8; i++)
            {
                result = (result << 8) | ((value >> (8 * i)) & 0xFF);
            }

            return result;
        }

        private static ulong Rotl(ulong x, int r) => (x << r) | (x >> (64 - r));

        private static ulong Mix(ulong k)
        {
            k ^= k >> 33;
            k *= 0xff51afd7ed558ccdUL;
            k ^= k >> 33;
            k *= 0xc4ceb9fe1a85ec53UL;
            k ^= k >> 33;
            return k;
        }
    }
}
