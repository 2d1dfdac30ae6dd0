using System;
using System.Collections.Generic;
using System.Text.Json;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>
    /// One SCIM BulkRequest document of at most 50 operations, as sent to <c>/bulkUpload</c>.
    /// Produced by ConvertTo-ScimBulkRequest and consumed by Send-ScimBulkRequest.
    /// </summary>
    public sealed class BulkRequest
    {
        /// <summary>The Graph limit on operations in one bulkUpload call.</summary>
        public const int MaxOperations = 50;

        /// <summary>The message schema every BulkRequest declares.</summary>
        public const string MessageSchema = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

        /// <summary>Creates a request from its JSON document and the externalIds of its operations, in order.</summary>
        public BulkRequest(int index, string json, IReadOnlyList<string> externalIds, string? source = null, long firstRecord = 0, long lastRecord = 0)
        {
            if (externalIds.Count > MaxOperations)
            {
                throw new ArgumentException($"A bulk request holds at most {MaxOperations} operations; this one has {externalIds.Count}.", nameof(externalIds));
            }

            Index = index;
            Json = json ?? throw new ArgumentNullException(nameof(json));
            ExternalIds = externalIds;
            Source = source;
            FirstRecord = firstRecord;
            LastRecord = lastRecord;
        }

        /// <summary>1-based position of this request in the run that produced it.</summary>
        public int Index { get; }

        /// <summary>The externalId of each operation, in order.</summary>
        public IReadOnlyList<string> ExternalIds { get; }

        /// <summary>Number of operations (records) in the request.</summary>
        public int OperationCount => ExternalIds.Count;

        /// <summary>The SCIM BulkRequest JSON document, exactly as it is sent.</summary>
        public string Json { get; }

        /// <summary>Where the records came from: a file path, or null for pipeline input.</summary>
        public string? Source { get; }

        /// <summary>1-based number of the first record (data row) in this request.</summary>
        public long FirstRecord { get; }

        /// <summary>1-based number of the last record (data row) in this request.</summary>
        public long LastRecord { get; }

        /// <inheritdoc />
        public override string ToString() => Json;

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

                if (!root.TryGetProperty("schemas", out JsonElement schemas) || schemas.ValueKind != JsonValueKind.Array || !Contains(schemas, MessageSchema))
                {
                    throw new FormatException($"{SourceName(source)} is not a SCIM BulkRequest: 'schemas' must contain '{MessageSchema}'.");
                }

                // Graph requires 'Operations' with a capital O.
                if (!root.TryGetProperty("Operations", out JsonElement operations) || operations.ValueKind != JsonValueKind.Array)
                {
                    throw new FormatException($"{SourceName(source)} is not a SCIM BulkRequest: it has no 'Operations' array (spelled with a capital O).");
                }

                int count = operations.GetArrayLength();
                if (count == 0 || count > MaxOperations)
                {
                    throw new FormatException($"{SourceName(source)} has {count} operations; a bulk request holds 1 to {MaxOperations}.");
                }

                var externalIds = new List<string>(count);
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
                }

                return new BulkRequest(index, json, externalIds, source);
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

        private static string SourceName(string? source) => source is null ? "The bulk request" : $"'{source}'";
    }
}
