using System;
using System.Collections.Generic;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>
    /// Packs placed operations into bulk requests (<see cref="BulkRequestWriter"/>), keeps the completed ones until they
    /// are taken, counts operations by why they are sent, and tells when a request completes which workers are in it
    /// (their reports may go now). A request holding reports names the request holding their manager (DependsOn).
    /// </summary>
    internal sealed class RequestPacker : IDisposable
    {
        private readonly BulkRequestWriter _writer;
        private readonly WorkerRegistry _workers;
        private readonly Queue<BulkRequest> _ready = new Queue<BulkRequest>();
        private readonly List<int> _inRequest = new List<int>(BulkRequest.MaxOperations);
        private readonly long[] _placed = new long[Enum.GetValues(typeof(OperationKind)).Length];

        public RequestPacker(int operationsPerRequest, WorkerRegistry workers)
        {
            _writer = new BulkRequestWriter(operationsPerRequest);
            _workers = workers;
        }

        /// <summary>Called for each worker of a request that completed.</summary>
        public Action<int>? Done { get; set; }

        /// <summary>Requests completed so far.</summary>
        public int Completed => _writer.Completed;

        /// <summary>Operations in the request being written.</summary>
        public int Pending => _writer.Pending;

        /// <summary>Completed requests not taken yet.</summary>
        public int Ready => _ready.Count;

        /// <summary>Operations placed since a request last completed.</summary>
        public long SinceCompleted { get; set; }

        /// <summary>Workers in the request being written.</summary>
        public IReadOnlyList<int> InRequest => _inRequest;

        /// <summary>Operations written so far, by why they are sent.</summary>
        public long Count(OperationKind kind) => _placed[(int)kind];

        public bool TryTake(out BulkRequest? request)
        {
            if (_ready.Count > 0)
            {
                request = _ready.Dequeue();
                return true;
            }

            request = null;
            return false;
        }

        /// <summary>Writes an operation whose order nothing depends on (a run that neither orders managers nor waits).</summary>
        public void Append(in OperationFacts facts, WorkerKey key, ReadOnlySpan<byte> data, string? source, long row, OperationKind kind)
        {
            _placed[(int)kind]++;
            Enqueue(_writer.Append(facts, key.ToBulkId(), data, source, row, kind));
        }

        /// <summary>Writes a worker's operation; true when it filled the request (which is then complete).</summary>
        public bool Place(int w, in OperationFacts facts, ReadOnlySpan<byte> data, string? source, long row, OperationKind kind)
        {
            ref Worker worker = ref _workers[w];
            worker.Progress = WorkerProgress.Open;
            worker.Request = _writer.Completed + 1;
            _placed[(int)kind]++;
            _inRequest.Add(w);
            int dependsOn = worker.HasManager && _workers.Find(worker.Manager, out int m) && _workers[m].Progress == WorkerProgress.Done ? _workers[m].Request : 0;
            BulkRequest? full = _writer.Append(facts, worker.Key.ToBulkId(), data, source, row, kind, dependsOn);
            if (full is null)
            {
                return false;
            }

            Enqueue(full);
            MarkDone();
            return true;
        }

        /// <summary>Completes the request being written early (the top of a hierarchy, or the end).</summary>
        public void CompleteRequest()
        {
            Enqueue(_writer.Complete());
            MarkDone();
        }

        public void Dispose() => _writer.Dispose();

        private void Enqueue(BulkRequest? request)
        {
            if (request is not null)
            {
                _ready.Enqueue(request);
            }
        }

        /// <summary>The request being written is complete: its workers' reports may go now.</summary>
        private void MarkDone()
        {
            SinceCompleted = 0;
            foreach (int w in _inRequest)
            {
                _workers[w].Progress = WorkerProgress.Done;
                Done?.Invoke(w);
            }

            _inRequest.Clear();
        }
    }
}
