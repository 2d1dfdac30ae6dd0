using EntraInboundProvisioning.Internal;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>Where a worker's operation is in the run.</summary>
    internal enum WorkerProgress : byte
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

    /// <summary>What a run knows of one worker.</summary>
    internal struct Worker
    {
        public WorkerKey Key;
        public WorkerKey Manager;
        public long Chosen;      // ordinal of the row to send
        public long Row;         // that row's number, for messages
        public int Source;       // that row's source (RowPlaces)
        public int FirstWaiter;  // held rows waiting for this worker (a linked list through Held.NextWaiter)
        public int ChosenHeld;   // the held row chosen for this worker, when it is held
        public int Request;      // the request the worker's operation went into
        public bool HasManager;
        public bool SelfManaged;
        public WorkerProgress Progress;
    }

    /// <summary>Every worker of a run, by key (chunked entries and a <see cref="WorkerKeyIndex"/>). Not thread-safe.</summary>
    internal sealed class WorkerRegistry
    {
        /// <summary>No worker, no held row.</summary>
        public const int None = -1;

        private readonly ChunkedList<Worker> _workers = new ChunkedList<Worker>();
        private readonly WorkerKeyIndex _index = new WorkerKeyIndex();

        /// <summary>Workers known.</summary>
        public int Count => _workers.Count;

        /// <summary>A worker by number, by reference.</summary>
        public ref Worker this[int worker] => ref _workers[worker];

        public bool Find(WorkerKey key, out int worker) => _index.TryFind(new Keys(_workers), key, out worker);

        /// <summary>Adds a worker (its key not known yet) and returns its number.</summary>
        public int Add(in Worker worker)
        {
            int w = _workers.Add(worker);
            _index.Add(new Keys(_workers), worker.Key, w, _workers.Count);
            return w;
        }

        private readonly struct Keys : IWorkerKeys
        {
            private readonly ChunkedList<Worker> _workers;

            public Keys(ChunkedList<Worker> workers) => _workers = workers;

            public WorkerKey KeyAt(int position) => _workers[position].Key;
        }
    }
}
