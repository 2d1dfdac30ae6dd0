using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>
    /// Writes the BulkRequest documents of a run: operations (bulkId + the user's <c>data</c> object, already JSON)
    /// are appended until the request holds its limit, then the request is completed and numbered.
    /// </summary>
    internal sealed class BulkRequestWriter : IDisposable
    {
        internal static readonly JsonWriterOptions WriterOptions = new JsonWriterOptions
        {
            // Readable non-ASCII names; the documents go to an HTTP API, never into HTML.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            SkipValidation = true,
        };

        private static readonly JsonEncodedText SchemasName = JsonEncodedText.Encode("schemas");
        private static readonly JsonEncodedText OperationsName = JsonEncodedText.Encode("Operations"); // Graph requires the capital O.
        private static readonly JsonEncodedText MethodName = JsonEncodedText.Encode("method");
        private static readonly JsonEncodedText BulkIdName = JsonEncodedText.Encode("bulkId");
        private static readonly JsonEncodedText PathName = JsonEncodedText.Encode("path");
        private static readonly JsonEncodedText DataName = JsonEncodedText.Encode("data");

        private readonly MemoryStream _buffer = new MemoryStream(64 * 1024);
        private readonly Utf8JsonWriter _writer;
        private readonly int _limit;
        private readonly List<string> _externalIds = new List<string>(BulkRequest.MaxOperations);
        private readonly List<OperationKind> _kinds = new List<OperationKind>(BulkRequest.MaxOperations);
        private readonly List<OperationFacts> _facts = new List<OperationFacts>(BulkRequest.MaxOperations);
        private string? _source;
        private long _firstRecord;
        private long _lastRecord;
        private int _dependsOn;
        private int _index;

        public BulkRequestWriter(int operationsPerRequest)
        {
            _limit = operationsPerRequest;
            _writer = new Utf8JsonWriter(_buffer, WriterOptions);
        }

        /// <summary>Operations in the request being written.</summary>
        public int Pending => _externalIds.Count;

        /// <summary>Requests completed so far.</summary>
        public int Completed => _index;

        /// <summary>Appends an operation; returns the request when this operation filled it.</summary>
        /// <param name="facts">The worker and what the record carries.</param>
        /// <param name="bulkId">The operation's bulkId.</param>
        /// <param name="data">The user's data object, UTF-8 JSON.</param>
        /// <param name="source">Where the record came from.</param>
        /// <param name="record">Its row.</param>
        /// <param name="kind">Why it is sent.</param>
        /// <param name="dependsOn">The request holding this worker's manager, which must be accepted first (0: none).</param>
        public BulkRequest? Append(in OperationFacts facts, string bulkId, ReadOnlySpan<byte> data, string? source, long record, OperationKind kind, int dependsOn = 0)
        {
            _dependsOn = Math.Max(_dependsOn, dependsOn);
            if (_externalIds.Count == 0)
            {
                _buffer.SetLength(0);
                _writer.Reset(_buffer);
                _writer.WriteStartObject();
                _writer.WriteStartArray(SchemasName);
                _writer.WriteStringValue(BulkRequest.MessageSchema);
                _writer.WriteEndArray();
                _writer.WriteStartArray(OperationsName);
                _source = source;
                _firstRecord = record;
                _lastRecord = record;
            }
            else
            {
                if (!string.Equals(_source, source, StringComparison.Ordinal))
                {
                    _source = null;
                }

                _firstRecord = Math.Min(_firstRecord, record);
                _lastRecord = Math.Max(_lastRecord, record);
            }

            _externalIds.Add(facts.ExternalId);
            _kinds.Add(kind);
            _facts.Add(facts);
            _writer.WriteStartObject();
            _writer.WriteString(MethodName, "POST");
            _writer.WriteString(BulkIdName, bulkId);
            _writer.WriteString(PathName, "/Users");
            _writer.WritePropertyName(DataName);
            _writer.WriteRawValue(data, skipInputValidation: true);
            _writer.WriteEndObject();
            return _externalIds.Count == _limit ? Complete() : null;
        }

        /// <summary>Completes the request being written; null when it holds no operation.</summary>
        public BulkRequest? Complete()
        {
            if (_externalIds.Count == 0)
            {
                return null;
            }

            _writer.WriteEndArray();
            _writer.WriteEndObject();
            _writer.Flush();
            string json = Encoding.UTF8.GetString(_buffer.GetBuffer(), 0, (int)_buffer.Length);
            var request = new BulkRequest(++_index, json, _externalIds.ToArray(), _source, _firstRecord, _lastRecord) { OperationKinds = _kinds.ToArray(), DependsOn = _dependsOn, Facts = _facts.ToArray() };
            _externalIds.Clear();
            _kinds.Clear();
            _facts.Clear();
            _dependsOn = 0;
            return request;
        }

        public void Dispose()
        {
            _writer.Dispose();
            _buffer.Dispose();
        }
    }
}
