using System;
using System.Collections.Generic;
using System.Text.Json;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>
    /// Reads SCIM BulkRequest documents back into <see cref="BulkRequest"/>s. It lives in Core, not beside
    /// BulkRequest, because it needs System.Text.Json and the public types carry no dependency.
    /// </summary>
    public static class BulkRequestReader
    {
        /// <summary>
        /// Reads a BulkRequest document (for example a file written by <c>-OutDirectory</c>) and checks the
        /// shape Graph requires: the BulkRequest schema and 1..50 <c>Operations</c> each with <c>data.externalId</c>.
        /// </summary>
        /// <exception cref="FormatException">The document is not a usable SCIM BulkRequest; the message says why.</exception>
        public static BulkRequest Parse(string json, int index = 1, string? source = null)
        {
            JsonDocument document;
            try
            {
                document = JsonDocument.Parse(json);
            }
            catch (JsonException ex)
            {
                throw new FormatException($"{SourceName(source)} is not valid JSON: {ex.Message}", ex);
            }

            using (document)
            {
                JsonElement root = document.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                {
                    throw new FormatException($"{SourceName(source)} is not a SCIM BulkRequest: the document is not a JSON object.");
                }

                if (!root.TryGetProperty("schemas", out JsonElement schemas) || schemas.ValueKind != JsonValueKind.Array || !Contains(schemas, BulkRequest.MessageSchema))
                {
                    throw new FormatException($"{SourceName(source)} is not a SCIM BulkRequest: 'schemas' must contain '{BulkRequest.MessageSchema}'.");
                }

                // Graph requires 'Operations' with a capital O.
                if (!root.TryGetProperty("Operations", out JsonElement operations) || operations.ValueKind != JsonValueKind.Array)
                {
                    throw new FormatException($"{SourceName(source)} is not a SCIM BulkRequest: it has no 'Operations' array (spelled with a capital O).");
                }

                int count = operations.GetArrayLength();
                if (count == 0 || count > BulkRequest.MaxOperations)
                {
                    throw new FormatException($"{SourceName(source)} has {count} operations; a bulk request holds 1 to {BulkRequest.MaxOperations}.");
                }

                var externalIds = new List<string>(count);
                var facts = new List<OperationFacts>(count);
                int position = 0;
                foreach (JsonElement operation in operations.EnumerateArray())
                {
                    position++;
                    if (operation.ValueKind != JsonValueKind.Object
                        || !operation.TryGetProperty("data", out JsonElement data)
                        || data.ValueKind != JsonValueKind.Object
                        || !data.TryGetProperty("externalId", out JsonElement externalId)
                        || externalId.ValueKind != JsonValueKind.String
                        || string.IsNullOrWhiteSpace(externalId.GetString()))
                    {
                        throw new FormatException($"{SourceName(source)}: operation {position} has no data.externalId.");
                    }

                    externalIds.Add(externalId.GetString()!);
                    facts.Add(FactsOf(data));
                }

                return new BulkRequest(index, json, externalIds, source) { Facts = facts };
            }
        }

        private static bool Contains(JsonElement array, string value)
        {
            foreach (JsonElement item in array.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String && string.Equals(item.GetString(), value, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The facts of each operation of a request document, read from the document.</summary>
        internal static IReadOnlyList<OperationFacts> ReadFacts(string json) => Parse(json).Facts!;

        /// <summary>
        /// What a state records of an operation read from a file: the hash of its data object as the conversion would
        /// have written it (the object is written again compactly with the conversion's own settings, so a file someone
        /// re-indented or re-saved hashes the same), its userName and active, and whether it is a leaver's record
        /// (externalId, perhaps userName, and active false: nothing else).
        /// </summary>
        private static OperationFacts FactsOf(JsonElement data)
        {
            ulong hash;
            using (var buffer = new System.IO.MemoryStream(1024))
            {
                using (var writer = new Utf8JsonWriter(buffer, BulkRequestWriter.WriterOptions))
                {
                    data.WriteTo(writer);
                }

                hash = State.RunState.HashOf(new ReadOnlySpan<byte>(buffer.GetBuffer(), 0, (int)buffer.Length));
            }

            string externalId = WorkerKey.Normalize(data.GetProperty("externalId").GetString()!);
            string? userName = data.TryGetProperty("userName", out JsonElement u) && u.ValueKind == JsonValueKind.String ? u.GetString() : null;
            bool active = data.TryGetProperty("active", out JsonElement a) && a.ValueKind == JsonValueKind.True;
            bool left = !active;
            foreach (JsonProperty property in data.EnumerateObject())
            {
                left &= property.Name is "schemas" or "externalId" or "userName" or "active";
            }

            return new OperationFacts(externalId, userName, active, left, hash, inputHash: 0, source: null);
        }

        private static string SourceName(string? source) => source is null ? "The bulk request" : $"'{source}'";
    }
}
