using System;
using System.Collections.Generic;
using System.Buffers.Binary;
using System.Linq;
using System.Text;
using EntraInboundProvisioning.Internal;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>
    /// Decides which converted operations a run sends and in what order, and packs them into bulk requests: one
    /// operation per worker (the last, first or no row of a repeated externalId, as the policy says), and every
    /// manager in an earlier request than the workers who report to them; otherwise input order.
    /// <para>
    /// Both rules need to know the whole input. A re-readable input (CSV files) is indexed first
    /// (<see cref="Index"/>: externalIds and managers only), so the second pass streams: an operation goes out at
    /// once unless its manager is still to come, and only such operations wait, in an <see cref="OperationBuffer"/>.
    /// Pipeline input cannot be read twice, so every operation is held until <see cref="Complete"/> and then
    /// replayed the same way. Keeping the first row of each worker with nothing to order streams without either.
    /// </para>
    /// </summary>
    internal sealed class OperationAssembler : IDisposable
    {
        private const int None = -1;

        private readonly ConversionOptions _options;
        private readonly int _flushThreshold;
        private readonly Action<ConversionDiagnostic> _report;
        private readonly BulkRequestWriter _writer;
        private readonly Queue<BulkRequest> _ready = new Queue<BulkRequest>();
        private readonly List<string?> _sources = new List<string?>();
        private readonly Dictionary<int, List<(int Source, long Row)>>? _repeats;
        private readonly Dictionary<int, string> _repeatNames = new Dictionary<int, string>();
        private readonly List<int> _inRequest = new List<int>(BulkRequest.MaxOperations);
        private readonly OrdinalHeap _released = new OrdinalHeap();
        private readonly Dictionary<int, string> _selfManaged = new Dictionary<int, string>();
        private readonly ChunkedList<Worker> _workers = new ChunkedList<Worker>();
        private readonly ChunkedList<Held> _held = new ChunkedList<Held>();
        private int[] _index = new int[1024]; // open addressing over worker keys: worker number + 1, 0 when free
        private readonly long[] _placed = new long[6];
        private readonly List<string?> _factSources = new List<string?>();
        private List<(WorkerKey Key, OperationFacts Facts, byte[] Data, OperationKind Kind)>? _extra;
        private long _sinceCompleted;
        private bool _cascading;
        private bool _inputEnded;
        private int _waiting;
        private OperationBuffer? _buffer;
        private byte[] _scratch = new byte[4096];
        private IEnumerator<BulkRequest>? _tail;
        private Phase _phase;
        private long _indexedRecords;
        private long _offeredRecords;

        public OperationAssembler(ConversionOptions options, bool orderManagers, Action<ConversionDiagnostic> report)
        {
            _options = options;
            _report = report;
            _writer = new BulkRequestWriter(options.OperationsPerRequest);
            OrderManagers = orderManagers;

            // Everyone below a manager waits until the manager's request is complete, and a request completes when it
            // is full. At the top of a hierarchy nearly everyone waits for the few workers in the request being written,
            // which then never fills: after this many operations without a completed request, it is completed early.
            _flushThreshold = Math.Max(20, 20 * options.OperationsPerRequest);
            if (options.DuplicateExternalId == DuplicateExternalIdHandling.Error)
            {
                _repeats = new Dictionary<int, List<(int, long)>>();
            }

            bool needsWholeInput = options.DuplicateExternalId != DuplicateExternalIdHandling.First || orderManagers || options.DecidesLeavers;
            _phase = needsWholeInput ? Phase.Holding : Phase.Direct;
        }

        private enum Phase
        {
            /// <summary>First row wins and nothing is ordered: write as records arrive.</summary>
            Direct,
            /// <summary>First pass over a re-readable input: learning each worker's row and manager.</summary>
            Indexing,
            /// <summary>Second pass after <see cref="Index"/>: operations stream out, waiting only for their managers.</summary>
            Streaming,
            /// <summary>Pipeline input: every operation is held until the input ends.</summary>
            Holding,
            Completed,
        }

        private enum WorkerState : byte
        {
            /// <summary>Its operation has not been offered yet.</summary>
            Pending,
            /// <summary>Placed in the request being written.</summary>
            Open,
            /// <summary>Placed in a completed request.</summary>
            Done,
            /// <summary>Not sent in this run (its row had errors, or is unchanged): nobody waits for it.</summary>
            NotSent,
        }

        private enum HeldState : byte
        {
            Held,
            Waiting,
            Placed,
            NotSent,
            Unchanged,
            Superseded,
        }

        /// <summary>True when managers are placed before their reports.</summary>
        public bool OrderManagers { get; }

        /// <summary>
        /// True when indexing the input first (<see cref="Index"/>, then <see cref="EndIndex"/>) lets the second pass
        /// stream instead of holding everything: the run needs the whole input and nothing was added yet.
        /// </summary>
        public bool WantsIndex => (_phase == Phase.Holding && _offeredRecords == 0) || _phase == Phase.Indexing;

        /// <summary>True when requests are written while records arrive (not only at <see cref="Complete"/>).</summary>
        public bool IsStreaming => _phase is Phase.Direct or Phase.Streaming or Phase.Indexing;

        /// <summary>Operations that will be sent (one per worker).</summary>
        public long Operations { get; private set; }

        /// <summary>Rows left out because another row of the same worker was chosen.</summary>
        public long Superseded { get; private set; }

        /// <summary>Workers whose chosen row is unchanged since the last accepted run: not sent.</summary>
        public long Unchanged { get; private set; }

        /// <summary>Operations written into requests so far, by why they are sent.</summary>
        public long Count(OperationKind kind) => _placed[(int)kind];

        /// <summary>Requests completed so far.</summary>
        public int RequestsCompleted => _writer.Completed;

        /// <summary>Operations waiting right now (for their manager, or for the end of pipeline input).</summary>
        public int Waiting => _waiting;

        /// <summary>Bytes of waiting operations written to the encrypted temporary file.</summary>
        public long SpilledBytes => _buffer?.SpilledBytes ?? 0;

        /// <summary>Every worker known to the run: indexed, or seen so far.</summary>
        public int Workers => _workers.Count;

        /// <summary>
        /// First pass: records a row's worker and manager without converting it. Repeats are reported here, naming
        /// both rows, so the second pass knows which row of each worker to send.
        /// </summary>
        public void Index(WorkerKey key, string externalId, WorkerKey? manager, string? source, long row)
        {
            BeginIndex();
            long ordinal = ++_indexedRecords;
            int w = Register(key, externalId, source, row, ordinal, out bool chosen);
            if (chosen)
            {
                SetManager(w, key, manager, externalId);
            }
        }

        /// <summary>A first-pass row that has no externalId (or is filtered out) still counts, so both passes number rows alike.</summary>
        public void IndexWithoutWorker()
        {
            BeginIndex();
            _indexedRecords++;
        }

        private void BeginIndex()
        {
            if (_phase == Phase.Holding && _offeredRecords == 0)
            {
                _phase = Phase.Indexing;
            }

            if (_phase != Phase.Indexing)
            {
                throw new InvalidOperationException("Index is only used before the second pass, when WantsIndex is true.");
            }
        }

        /// <summary>Ends the first pass; under the Error policy, reports every repeat and throws.</summary>
        public void EndIndex()
        {
            if (_phase == Phase.Holding && _offeredRecords == 0 && _indexedRecords == 0)
            {
                _phase = Phase.Indexing; // an input without a single record: nothing was indexed, nothing is wrong
            }

            if (_phase != Phase.Indexing)
            {
                throw new InvalidOperationException("EndIndex follows Index.");
            }

            ThrowOnRepeats();
            ReportSelfManaged();
            _phase = Phase.Streaming;
        }

        /// <summary>Every worker known after <see cref="EndIndex"/> or <see cref="Complete"/> (for leaver detection).</summary>
        public bool Knows(WorkerKey key) => Find(key, out _);

        /// <summary>Takes an operation: written now, held for its manager, or held until the end.</summary>
        public void Add(WorkerKey key, in OperationFacts facts, WorkerKey? manager, string? source, long row, ReadOnlySpan<byte> data, OperationKind kind)
        {
            long ordinal = ++_offeredRecords;
            string externalId = facts.ExternalId;
            switch (_phase)
            {
                case Phase.Direct:
                {
                    Register(key, externalId, source, row, ordinal, out bool chosen);
                    if (chosen)
                    {
                        Operations++;
                        _placed[(int)kind]++;
                        Enqueue(_writer.Append(facts, key.ToBulkId(), data, source, row, kind));
                    }

                    return;
                }

                case Phase.Holding:
                {
                    int w = Register(key, externalId, source, row, ordinal, out bool chosen);
                    int h = Hold(w, facts, source, row, data, kind, ordinal);
                    if (chosen)
                    {
                        SetManager(w, key, manager, externalId);
                        Choose(w, h);
                    }
                    else
                    {
                        _held[h].State = HeldState.Superseded;
                    }

                    return;
                }

                case Phase.Streaming:
                {
                    if (!IsChosen(key, ordinal, out int w))
                    {
                        return;
                    }

                    Operations++;
                    _sinceCompleted++;
                    if (MustWait(w))
                    {
                        int h = Hold(w, facts, source, row, data, kind, ordinal);
                        Wait(h, w);
                        return;
                    }

                    Place(w, facts, data, source, row, kind);
                    return;
                }

                default:
                    throw new InvalidOperationException(_phase == Phase.Indexing ? "The input is being indexed: call EndIndex before converting." : "The run is complete.");
            }
        }

        /// <summary>
        /// A row of a worker that is not sent (it had errors, or is unchanged since the last accepted run): it takes
        /// part in choosing each worker's row, and nobody waits for it.
        /// </summary>
        public void AddNotSent(WorkerKey key, string externalId, string? source, long row, bool unchanged = false)
        {
            long ordinal = ++_offeredRecords;
            switch (_phase)
            {
                case Phase.Direct:
                    Register(key, externalId, source, row, ordinal, out bool first);
                    Unchanged += first && unchanged ? 1 : 0;
                    return;
                case Phase.Holding:
                {
                    int w = Register(key, externalId, source, row, ordinal, out bool chosen);
                    int h = Hold(w, null, source, row, ReadOnlySpan<byte>.Empty, OperationKind.Record, ordinal);
                    _held[h].State = unchanged ? HeldState.Unchanged : HeldState.NotSent;
                    if (chosen)
                    {
                        Choose(w, h);
                    }
                    else
                    {
                        _held[h].State = HeldState.Superseded;
                    }

                    return;
                }

                case Phase.Streaming:
                    if (IsChosen(key, ordinal, out int chosenWorker))
                    {
                        Unchanged += unchanged ? 1 : 0;
                        Resolve(chosenWorker);
                    }

                    return;
                default:
                    throw new InvalidOperationException("The run is not converting.");
            }
        }

        /// <summary>A second-pass row without an externalId: counted, so the rows of both passes stay aligned.</summary>
        public void AddWithoutWorker() => _offeredRecords++;

        /// <summary>Takes a completed request, if one is ready. After <see cref="Complete"/>, requests are written as they are taken.</summary>
        public bool TryTake(out BulkRequest? request)
        {
            if (_phase == Phase.Streaming)
            {
                Progress();
            }

            if (_ready.Count > 0)
            {
                request = _ready.Dequeue();
                return true;
            }

            if (_tail is not null && _tail.MoveNext())
            {
                request = _tail.Current;
                return true;
            }

            request = null;
            return false;
        }

        /// <summary>
        /// No more input. Pipeline input is now decided and replayed; operations still waiting (a cycle in the
        /// hierarchy) are placed; the last requests are written as they are taken.
        /// </summary>
        /// <exception cref="DuplicateExternalIdException">Under the Error policy, when a worker repeats (each repeat reported first).</exception>
        /// <exception cref="InvalidOperationException">The input changed between the two passes.</exception>
        public void Complete()
        {
            if (_phase == Phase.Completed)
            {
                return;
            }

            EndInput();
            Phase phase = _phase;
            _phase = Phase.Completed;
            if (phase == Phase.Direct)
            {
                foreach ((WorkerKey key, OperationFacts facts, byte[] data, OperationKind kind) in _extra ?? new List<(WorkerKey, OperationFacts, byte[], OperationKind)>())
                {
                    Register(key, facts.ExternalId, null, 0, ++_offeredRecords, out _);
                    Operations++;
                    _placed[(int)kind]++;
                    Enqueue(_writer.Append(facts, key.ToBulkId(), data, null, 0, kind));
                }

                Enqueue(_writer.Complete());
                return;
            }

            if (phase == Phase.Holding)
            {
                foreach ((WorkerKey key, OperationFacts facts, byte[] data, OperationKind kind) in _extra ?? new List<(WorkerKey, OperationFacts, byte[], OperationKind)>())
                {
                    long ordinal = ++_offeredRecords;
                    int w = Register(key, facts.ExternalId, null, 0, ordinal, out _);
                    Choose(w, Hold(w, facts, null, 0, data, kind, ordinal));
                }
            }

            _tail = Finish(phase == Phase.Holding).GetEnumerator();
        }

        /// <summary>
        /// The input has ended: checks that both passes read the same records, and, for pipeline input, applies the
        /// Error policy. After this, <see cref="Knows"/> answers for the whole input.
        /// </summary>
        /// <exception cref="DuplicateExternalIdException">Under the Error policy, when a worker repeats.</exception>
        /// <exception cref="InvalidOperationException">The input changed between the two passes.</exception>
        public void EndInput()
        {
            if (_inputEnded || _phase == Phase.Completed)
            {
                return;
            }

            if (_phase == Phase.Indexing)
            {
                EndIndex();
            }

            if (_phase == Phase.Streaming && _offeredRecords != _indexedRecords)
            {
                throw new InvalidOperationException($"The input changed while it was read: the first pass read {_indexedRecords:N0} record(s), the second {_offeredRecords:N0}. Nothing more is converted; run again on a file that is not being written.");
            }

            if (_phase == Phase.Holding)
            {
                ThrowOnRepeats();
                ReportSelfManaged();
            }

            _inputEnded = true;
        }

        /// <summary>Adds an operation that does not come from the input (a leaver), sent after everything else.</summary>
        public void AddAfterInput(WorkerKey key, in OperationFacts facts, byte[] data, OperationKind kind)
        {
            _extra ??= new List<(WorkerKey, OperationFacts, byte[], OperationKind)>();
            _extra.Add((key, facts, data, kind));
        }

        private IEnumerable<BulkRequest> Finish(bool replay)
        {
            if (replay)
            {
                // Pipeline input: offer every chosen row in input order, as the streaming pass does.
                for (int h = 0; h < _held.Count; h++)
                {
                    ref Held held = ref _held[h];
                    if (held.State is HeldState.NotSent or HeldState.Unchanged)
                    {
                        Unchanged += held.State == HeldState.Unchanged ? 1 : 0;
                        Resolve(held.Worker);
                    }
                    else if (held.State == HeldState.Held)
                    {
                        Operations++;
                        _sinceCompleted++;
                        if (MustWait(held.Worker))
                        {
                            Wait(h, held.Worker);
                        }
                        else
                        {
                            PlaceHeld(h);
                        }
                    }

                    Progress();
                    while (_ready.Count > 0)
                    {
                        yield return _ready.Dequeue();
                    }
                }
            }

            if (!replay && _extra is not null)
            {
                // Leavers of a streamed run: after every record of the input, nobody waits for them.
                foreach ((WorkerKey key, OperationFacts facts, byte[] data, OperationKind kind) in _extra)
                {
                    int w = Register(key, facts.ExternalId, null, 0, ++_offeredRecords, out _);
                    Operations++;
                    Place(w, facts, data, null, 0, kind);
                    while (_ready.Count > 0)
                    {
                        yield return _ready.Dequeue();
                    }
                }
            }

            while (true)
            {
                while (_ready.Count > 0)
                {
                    yield return _ready.Dequeue();
                }

                if (_released.Count > 0)
                {
                    PlaceOneReleased();
                }
                else if (_waiting > 0 && _writer.Pending > 0)
                {
                    // Those waiting may be waiting for a manager in the request being written.
                    CompleteRequest();
                }
                else if (_waiting > 0)
                {
                    BreakCycle();
                }
                else
                {
                    break;
                }
            }

            BulkRequest? last = _writer.Complete();
            if (last is not null)
            {
                yield return last;
            }
        }

        /// <summary>Finds or adds the worker and says whether this row is the one to send, reporting a repeat.</summary>
        private int Register(WorkerKey key, string externalId, string? source, long row, long ordinal, out bool chosen)
        {
            int sourceIndex = SourceIndex(source);
            if (!Find(key, out int w))
            {
                w = _workers.Add(new Worker { Key = key, Chosen = ordinal, Source = sourceIndex, Row = row, FirstWaiter = None, ChosenHeld = None });
                Insert(key, w);
                if (_repeats is not null)
                {
                    _repeatNames[w] = externalId;
                }

                chosen = true;
                return w;
            }

            ref Worker worker = ref _workers[w];
            string here = Where(sourceIndex, row);
            string there = Where(worker.Source, worker.Row);
            switch (_options.DuplicateExternalId)
            {
                case DuplicateExternalIdHandling.First:
                    Superseded++;
                    chosen = false;
                    _report(new ConversionDiagnostic(DiagnosticSeverity.Warning, "DuplicateExternalId", $"{Capital(here)}: externalId '{externalId}' repeats {there}; the first row wins (-DuplicateExternalId First), so {here} is left out.", source, row, "externalId", externalId));
                    return w;
                case DuplicateExternalIdHandling.Error:
                    if (!_repeats!.TryGetValue(w, out List<(int, long)>? rows))
                    {
                        rows = new List<(int, long)> { (worker.Source, worker.Row) };
                        _repeats.Add(w, rows);
                    }

                    rows.Add((sourceIndex, row));
                    chosen = false;
                    return w;
                default:
                    Superseded++;
                    _report(new ConversionDiagnostic(DiagnosticSeverity.Warning, "DuplicateExternalId", $"{Capital(here)}: externalId '{externalId}' repeats {there}; the last row wins, as it would at the service, so {there} is left out.", source, row, "externalId", externalId));
                    worker.Chosen = ordinal;
                    worker.Source = sourceIndex;
                    worker.Row = row;
                    chosen = true;
                    return w;
            }
        }

        private void SetManager(int w, WorkerKey key, WorkerKey? manager, string externalId)
        {
            ref Worker worker = ref _workers[w];
            worker.HasManager = OrderManagers && manager is WorkerKey m && m != key;
            worker.Manager = manager ?? default;
            worker.SelfManaged = OrderManagers && manager is WorkerKey self && self == key;
            if (worker.SelfManaged)
            {
                _selfManaged[w] = externalId;
            }
        }

        /// <summary>Reports, once, the workers who name themselves as their manager (often the top of an HR hierarchy).</summary>
        private void ReportSelfManaged()
        {
            List<string> names = _selfManaged.Where(p => _workers[p.Key].SelfManaged).Select(p => $"'{p.Value}'").ToList();
            if (names.Count > 0)
            {
                string list = string.Join(", ", names.Take(10)) + (names.Count > 10 ? $" and {names.Count - 10} more" : string.Empty);
                _report(new ConversionDiagnostic(DiagnosticSeverity.Warning, "SelfManager", $"{names.Count} worker(s) name themselves as their manager ({list}); the service cannot set that reference.", null, 0, "manager"));
            }
        }

        /// <summary>In pipeline input, a later row replaces the held operation chosen so far.</summary>
        private void Choose(int w, int h)
        {
            ref Worker worker = ref _workers[w];
            if (worker.ChosenHeld != None)
            {
                _held[worker.ChosenHeld].State = HeldState.Superseded;
            }

            worker.ChosenHeld = h;
        }

        private bool IsChosen(WorkerKey key, long ordinal, out int w)
            => Find(key, out w) && _workers[w].Chosen == ordinal;

        /// <summary>A worker waits while their manager is in this run and not yet in a completed request.</summary>
        private bool MustWait(int w)
        {
            ref Worker worker = ref _workers[w];
            if (!worker.HasManager || !Find(worker.Manager, out int m))
            {
                return false;
            }

            return _workers[m].State is WorkerState.Pending or WorkerState.Open;
        }

        private void Wait(int h, int w)
        {
            ref Held held = ref _held[h];
            held.State = HeldState.Waiting;
            _workers[w].ChosenHeld = h;
            Find(_workers[w].Manager, out int m);
            held.NextWaiter = _workers[m].FirstWaiter;
            _workers[m].FirstWaiter = h;
            _waiting++;
        }

        /// <summary>Keeps an operation (externalId and data) in the buffer; a null externalId keeps only its place in the input.</summary>
        /// <summary>
        /// Keeps an operation in the buffer (which spills to an encrypted file when large): its facts, then its data,
        /// as [externalId][userName][hash][input hash][active, left][source][data]. A row that is not sent keeps nothing.
        /// </summary>
        private int Hold(int w, in OperationFacts? facts, string? source, long row, ReadOnlySpan<byte> data, OperationKind kind, long ordinal)
        {
            int h = _held.Add(new Held { Worker = w, Source = SourceIndex(source), Row = row, Kind = kind, NextWaiter = None, Ordinal = ordinal, State = HeldState.Held });
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
        private OperationFacts ReadHeld(int h, out ReadOnlySpan<byte> data)
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

        /// <summary>The worker's operation is not sent: release those waiting for them.</summary>
        private void Resolve(int w)
        {
            _workers[w].State = WorkerState.NotSent;
            Release(w);
        }

        private void Place(int w, in OperationFacts facts, ReadOnlySpan<byte> data, string? source, long row, OperationKind kind)
        {
            ref Worker worker = ref _workers[w];
            worker.State = WorkerState.Open;
            worker.Request = _writer.Completed + 1;
            _placed[(int)kind]++;
            _inRequest.Add(w);
            int dependsOn = worker.HasManager && Find(worker.Manager, out int m) && _workers[m].State == WorkerState.Done ? _workers[m].Request : 0;
            BulkRequest? full = _writer.Append(facts, worker.Key.ToBulkId(), data, source, row, kind, dependsOn);
            if (full is not null)
            {
                _cascading = false;
                Enqueue(full);
                MarkDone();
            }
        }

        private void PlaceHeld(int h)
        {
            ref Held held = ref _held[h];
            OperationFacts facts = ReadHeld(h, out ReadOnlySpan<byte> data);
            held.State = HeldState.Placed;
            Place(held.Worker, facts, data, SourceOf(held.Source), held.Row, held.Kind);
        }

        /// <summary>
        /// Makes progress on demand, so requests are written as they are taken rather than all at once: places
        /// released operations until a request is ready. When the request being written has not filled for a long
        /// time while operations wait for workers in it (the top of a hierarchy), it is completed early; taking
        /// requests then places the hierarchy level by level, one short request per level.
        /// </summary>
        private void Progress()
        {
            while (_ready.Count == 0 && _released.Count > 0)
            {
                PlaceOneReleased();
            }

            if (_ready.Count == 0 && (_cascading || _sinceCompleted >= _flushThreshold) && _inRequest.Count > 0 && _inRequest.Exists(w => _workers[w].FirstWaiter != None))
            {
                // Keeps completing short requests, level by level, until one fills by itself.
                _cascading = true;
                CompleteRequest();
            }
        }

        /// <summary>Places the earliest released operation (its manager's request is complete).</summary>
        private void PlaceOneReleased()
        {
            int h = _released.Pop();
            _waiting--;
            PlaceHeld(h);
        }

        private void CompleteRequest()
        {
            Enqueue(_writer.Complete());
            MarkDone();
        }

        /// <summary>The request being written is complete: its workers' reports may go now.</summary>
        private void MarkDone()
        {
            _sinceCompleted = 0;
            foreach (int w in _inRequest)
            {
                _workers[w].State = WorkerState.Done;
                Release(w);
            }

            _inRequest.Clear();
        }

        private void Release(int w)
        {
            int h = _workers[w].FirstWaiter;
            _workers[w].FirstWaiter = None;
            while (h != None)
            {
                _released.Push(h, _held[h].Ordinal);
                h = _held[h].NextWaiter;
            }
        }

        /// <summary>Only cycles keep workers waiting once everything else is placed: report one and place its earliest row.</summary>
        private void BreakCycle()
        {
            int start = None;
            for (int h = 0; h < _held.Count; h++)
            {
                if (_held[h].State == HeldState.Waiting && (start == None || _held[h].Ordinal < _held[start].Ordinal))
                {
                    start = h;
                }
            }

            // Follow managers from the earliest waiting row until a worker repeats: that loop is the cycle.
            var seen = new Dictionary<int, int>();
            var path = new List<int>();
            var cycle = new List<int>();
            int w = _held[start].Worker;
            while (true)
            {
                if (seen.TryGetValue(w, out int at))
                {
                    cycle = path.Skip(at).ToList();
                    break;
                }

                seen[w] = path.Count;
                path.Add(w);
                if (!Find(_workers[w].Manager, out int m) || _workers[m].ChosenHeld == None || _held[_workers[m].ChosenHeld].State != HeldState.Waiting)
                {
                    break; // the manager never came: nothing to report, just stop waiting
                }

                w = m;
            }

            int first = start;
            if (cycle.Count > 0)
            {
                first = cycle.Select(c => _workers[c].ChosenHeld).OrderBy(c => _held[c].Ordinal).First();
                string Name(int c) => $"'{ExternalIdOf(_workers[c].ChosenHeld)}' ({Where(_held[_workers[c].ChosenHeld].Source, _held[_workers[c].ChosenHeld].Row)})";
                string names = string.Join(" → ", cycle.Select(Name)) + $" → '{ExternalIdOf(_workers[cycle[0]].ChosenHeld)}'";
                string firstId = ExternalIdOf(first);
                _report(new ConversionDiagnostic(DiagnosticSeverity.Warning, "ManagerCycle", $"The manager references of {cycle.Count} workers form a cycle: {names}. They are still sent, starting with '{firstId}'; the service may not resolve every manager in that cycle.", SourceOf(_held[first].Source), _held[first].Row, "manager", firstId));
            }

            Unlink(first);
            _released.Push(first, _held[first].Ordinal);
        }

        /// <summary>Takes a waiting row out of its manager's list (to place it without the manager).</summary>
        private void Unlink(int h)
        {
            Find(_workers[_held[h].Worker].Manager, out int m);
            ref int link = ref _workers[m].FirstWaiter;
            while (link != h)
            {
                link = ref _held[link].NextWaiter;
            }

            link = _held[h].NextWaiter;
        }

        private void ThrowOnRepeats()
        {
            if (_repeats is null || _repeats.Count == 0)
            {
                return;
            }

            foreach (KeyValuePair<int, List<(int Source, long Row)>> repeat in _repeats)
            {
                (int source, long row) = repeat.Value[0];
                string externalId = _repeatNames[repeat.Key];
                _report(new ConversionDiagnostic(DiagnosticSeverity.Error, "DuplicateExternalId", $"externalId '{externalId}' appears in {repeat.Value.Count} rows: {Rows(repeat.Value)}.", SourceOf(source), row, "externalId", externalId));
            }

            int workers = _repeats.Count;
            int rows = _repeats.Values.Sum(r => r.Count);
            _repeats.Clear();
            _phase = Phase.Completed;
            throw new DuplicateExternalIdException(workers, rows);
        }

        private string ExternalIdOf(int h)
        {
            ArraySegment<byte> entry = _buffer!.Read(_held[h].Data, _held[h].Length);
            byte[] bytes = entry.Array!;
            int idLength = (bytes[entry.Offset] << 8) | bytes[entry.Offset + 1];
            return Encoding.UTF8.GetString(bytes, entry.Offset + 2, idLength);
        }

        /// <summary>Finds a worker by key (open addressing with linear probing; the key is already a good hash).</summary>
        private bool Find(WorkerKey key, out int worker)
        {
            int mask = _index.Length - 1;
            for (int i = (int)key.Low & mask; ; i = (i + 1) & mask)
            {
                int entry = _index[i];
                if (entry == 0)
                {
                    worker = None;
                    return false;
                }

                if (_workers[entry - 1].Key == key)
                {
                    worker = entry - 1;
                    return true;
                }
            }
        }

        private void Insert(WorkerKey key, int worker)
        {
            if ((_workers.Count * 2) > _index.Length)
            {
                // Keep the table at most half full; rebuilding touches only the small int array.
                _index = new int[_index.Length * 2];
                for (int w = 0; w < _workers.Count; w++)
                {
                    if (w != worker)
                    {
                        Put(_workers[w].Key, w);
                    }
                }
            }

            Put(key, worker);

            void Put(WorkerKey k, int w)
            {
                int mask = _index.Length - 1;
                int i = (int)k.Low & mask;
                while (_index[i] != 0)
                {
                    i = (i + 1) & mask;
                }

                _index[i] = w + 1;
            }
        }

        private void Enqueue(BulkRequest? request)
        {
            if (request is not null)
            {
                _ready.Enqueue(request);
            }
        }

        private int SourceIndex(string? source)
        {
            int last = _sources.Count - 1;
            if (last >= 0 && string.Equals(_sources[last], source, StringComparison.Ordinal))
            {
                return last;
            }

            int known = _sources.IndexOf(source);
            if (known >= 0)
            {
                return known;
            }

            _sources.Add(source);
            return last + 1;
        }

        private string? SourceOf(int source) => _sources[source];

        /// <summary>"'hr.csv', row 5" or "input object 5".</summary>
        private string Where(int source, long row)
        {
            string? name = SourceOf(source);
            return name is null ? $"input object {row}" : $"'{name}', row {row}";
        }

        /// <summary>"'hr.csv', rows 2, 5 and 9", or each row with its source when they differ.</summary>
        private string Rows(List<(int Source, long Row)> rows)
        {
            string Numbers() => And(rows.Select(r => r.Row.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList());
            int first = rows[0].Source;
            if (rows.All(r => r.Source == first))
            {
                return SourceOf(first) is string name ? $"'{name}', rows {Numbers()}" : $"input objects {Numbers()}";
            }

            return And(rows.Select(r => Where(r.Source, r.Row)).ToList());
        }

        private static string And(List<string> items) => items.Count == 1 ? items[0] : string.Join(", ", items.Take(items.Count - 1)) + " and " + items[items.Count - 1];

        private static string Capital(string text) => text.Length == 0 || text[0] == '\'' ? text : char.ToUpperInvariant(text[0]) + text.Substring(1);

        public void Dispose()
        {
            _writer.Dispose();
            _buffer?.Dispose();
        }

        /// <summary>What the run knows of one worker.</summary>
        private struct Worker
        {
            public WorkerKey Key;
            public WorkerKey Manager;
            public long Chosen;      // ordinal of the row to send
            public long Row;         // that row's number, for messages
            public int Source;
            public int FirstWaiter;  // held rows waiting for this worker (a linked list through Held.NextWaiter)
            public int ChosenHeld;   // the held row chosen for this worker, when it is held
            public int Request;      // the request the worker's operation went into
            public bool HasManager;
            public bool SelfManaged;
            public WorkerState State;
        }

        /// <summary>An operation kept in the buffer: waiting for its manager, or (pipeline input) for the end.</summary>
        private struct Held
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

        /// <summary>A min-heap of held rows by ordinal: released rows go out in input order.</summary>
        private sealed class OrdinalHeap
        {
            private (long Ordinal, int Held)[] _items = new (long, int)[64];

            public int Count { get; private set; }

            public void Push(int held, long ordinal)
            {
                if (Count == _items.Length)
                {
                    Array.Resize(ref _items, _items.Length * 2);
                }

                int i = Count++;
                while (i > 0)
                {
                    int parent = (i - 1) / 2;
                    if (_items[parent].Ordinal <= ordinal)
                    {
                        break;
                    }

                    _items[i] = _items[parent];
                    i = parent;
                }

                _items[i] = (ordinal, held);
            }

            public int Pop()
            {
                int top = _items[0].Held;
                (long Ordinal, int Held) last = _items[--Count];
                int i = 0;
                while (true)
                {
                    int child = (2 * i) + 1;
                    if (child >= Count)
                    {
                        break;
                    }

                    if (child + 1 < Count && _items[child + 1].Ordinal < _items[child].Ordinal)
                    {
                        child++;
                    }

                    if (_items[child].Ordinal >= last.Ordinal)
                    {
                        break;
                    }

                    _items[i] = _items[child];
                    i = child;
                }

                _items[i] = last;
                return top;
            }
        }
    }

    /// <summary>Thrown under <see cref="DuplicateExternalIdHandling.Error"/> when workers repeat; each repeat was reported first.</summary>
    public sealed class DuplicateExternalIdException : Exception
    {
        /// <summary>Creates the exception.</summary>
        public DuplicateExternalIdException(int workers, int rows)
            : base($"{workers} externalId(s) appear in more than one row ({rows} rows in all); nothing was converted (-DuplicateExternalId Error). Each repeated externalId is listed in its own error above.")
        {
            Workers = workers;
            Rows = rows;
        }

        /// <summary>Creates the exception.</summary>
        public DuplicateExternalIdException()
        {
        }

        /// <summary>Creates the exception.</summary>
        public DuplicateExternalIdException(string message)
            : base(message)
        {
        }

        /// <summary>Creates the exception.</summary>
        public DuplicateExternalIdException(string message, Exception inner)
            : base(message, inner)
        {
        }

        /// <summary>Workers whose externalId repeats.</summary>
        public int Workers { get; }

        /// <summary>Rows those workers appear in.</summary>
        public int Rows { get; }
    }
}
