using System;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>
    /// A worker's identity within a run and in a run state: a 128-bit hash of the case-folded externalId, not the
    /// string, so a million workers cost 16 bytes each; a false match would need a 128-bit collision. The same
    /// hash gives each worker a bulkId that is identical in every run (UUID layout).
    /// </summary>
    internal readonly struct WorkerKey : IEquatable<WorkerKey>
    {
        private const ulong Seed = 0x6c1f4a5e2b7d4c0eUL;

        public WorkerKey(ulong high, ulong low)
        {
            High = high;
            Low = low;
        }

        public ulong High { get; }

        public ulong Low { get; }

        /// <summary>
        /// The one rule for telling workers apart: externalIds match case-insensitively, as Entra ID matches them, and
        /// leading or trailing whitespace is not part of the key (see <see cref="Normalize"/>).
        /// </summary>
        public static WorkerKey Of(string externalId)
        {
            (ulong high, ulong low) = Internal.Murmur3.Hash128(Normalize(externalId).ToUpperInvariant(), Seed);
            return new WorkerKey(high, low);
        }

        /// <summary>
        /// The externalId a worker is sent and kept under: without leading or trailing whitespace or invisible format
        /// characters (zero-width space and joiners, word joiner, byte order mark, direction marks: Unicode category Cf).
        /// The service does not document trimming, so "E2 " would reach it as a worker of its own (a second account, and E2
        /// a leaver); an HR key with a stray space, or an invisible character pasted from a web page or a chat, is a slip,
        /// never a different person.
        /// </summary>
        public static string Normalize(string externalId)
        {
            int start = 0;
            int end = externalId.Length;
            while (start < end && IsPadding(externalId[start]))
            {
                start++;
            }

            while (end > start && IsPadding(externalId[end - 1]))
            {
                end--;
            }

            return start == 0 && end == externalId.Length ? externalId : externalId.Substring(start, end - start);
        }

        private static bool IsPadding(char c) => char.IsWhiteSpace(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format;

        /// <summary>The bulkId of the worker's operation: the key's bytes as a version 8 (custom) UUID.</summary>
        public string ToBulkId()
        {
            Span<byte> b = stackalloc byte[16];
            for (int i = 0; i < 8; i++)
            {
                b[i] = (byte)(High >> (8 * i));
                b[i + 8] = (byte)(Low >> (8 * i));
            }

            b[6] = (byte)((b[6] & 0x0F) | 0x80); // version 8: custom, name-derived
            b[8] = (byte)((b[8] & 0x3F) | 0x80); // RFC 4122 variant
            const string hex = "0123456789abcdef";
            char[] chars = new char[36];
            int c = 0;
            for (int i = 0; i < 16; i++)
            {
                if (i == 4 || i == 6 || i == 8 || i == 10)
                {
                    chars[c++] = '-';
                }

                chars[c++] = hex[b[i] >> 4];
                chars[c++] = hex[b[i] & 0xF];
            }

            return new string(chars);
        }

        public bool Equals(WorkerKey other) => High == other.High && Low == other.Low;

        public override bool Equals(object? obj) => obj is WorkerKey other && Equals(other);

        public override int GetHashCode() => (int)Low ^ (int)(Low >> 32);

        public static bool operator ==(WorkerKey left, WorkerKey right) => left.Equals(right);

        public static bool operator !=(WorkerKey left, WorkerKey right) => !left.Equals(right);
    }
}
