using System;
using System.Collections.Generic;
using System.Linq;
using EntraInboundProvisioning.Internal;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>
    /// Puts every manager in an earlier request than the workers who report to them (the service can set a manager
    /// reference only once the manager exists): a worker whose manager is in the run and not yet in a completed request
    /// waits, held; when the manager's request completes, the worker is released and placed, in input order. A cycle in
    /// the hierarchy is reported and broken at its earliest row. Without ordering, nobody waits.
    /// </summary>
    internal sealed class ManagerOrder
    {
        private readonly WorkerRegistry _workers;
        private readonly HeldOperations _held;
        private readonly RequestPacker _packer;
        private readonly RowPlaces _places;
        private readonly Action<ConversionDiagnostic> _report;
        private readonly OrdinalHeap _released = new OrdinalHeap();
        private readonly Dictionary<int, string> _selfManaged = new Dictionary<int, string>();
        private readonly int _flushThreshold;
        private bool _cascading;

        public ManagerOrder(bool enabled, int operationsPerRequest, WorkerRegistry workers, HeldOperations held, RequestPacker packer, RowPlaces places, Action<ConversionDiagnostic> report)
        {
            Enabled = enabled;
            _workers = workers;
            _held = held;
            _packer = packer;
            _places = places;
            _report = report;
            packer.Done = Release;

            // Everyone below a manager waits until the manager's request is complete, and a request completes when it
            // is full. At the top of a hierarchy nearly everyone waits for the few workers in the request being written,
            // which then never fills: after this many operations without a completed request, it is completed early.
            _flushThreshold = Math.Max(20, 20 * operationsPerRequest);
        }

        /// <summary>True when managers are placed before their reports.</summary>
        public bool Enabled { get; }

        /// <summary>Operations waiting right now for their manager's request.</summary>
        public int Waiting { get; private set; }

        /// <summary>True while held operations remain to be placed.</summary>
        public bool HasReleased => _released.Count > 0;

        /// <summary>Notes the manager of a worker's chosen row.</summary>
        public void SetManager(int w, WorkerKey key, WorkerKey? manager, string externalId)
        {
            ref Worker worker = ref _workers[w];
            worker.HasManager = Enabled && manager is WorkerKey m && m != key;
            worker.Manager = manager ?? default;
            worker.SelfManaged = Enabled && manager is WorkerKey self && self == key;
            if (worker.SelfManaged)
            {
                _selfManaged[w] = externalId;
            }
        }

        /// <summary>Reports, once, the workers who name themselves as their manager (often the top of an HR hierarchy).</summary>
        public void ReportSelfManaged()
        {
            List<string> names = _selfManaged.Where(p => _workers[p.Key].SelfManaged).Select(p => $"'{p.Value}'").ToList();
            if (names.Count > 0)
            {
                string list = string.Join(", ", names.Take(10)) + (names.Count > 10 ? $" and {names.Count - 10} more" : string.Empty);
                _report(new ConversionDiagnostic(DiagnosticSeverity.Warning, "SelfManager", $"{names.Count} worker(s) name themselves as their manager ({list}); the service cannot set that reference.", null, 0, "manager"));
            }
        }

        /// <summary>A worker waits while their manager is in this run and not yet in a completed request.</summary>
        public bool MustWait(int w)
        {
            ref Worker worker = ref _workers[w];
            if (!worker.HasManager || !_workers.Find(worker.Manager, out int m))
            {
                return false;
            }

            return _workers[m].Progress is WorkerProgress.Pending or WorkerProgress.Open;
        }

        /// <summary>Puts a held row in its manager's list of waiters.</summary>
        public void Wait(int h, int w)
        {
            ref Held held = ref _held[h];
            held.State = HeldState.Waiting;
            _workers[w].ChosenHeld = h;
            _workers.Find(_workers[w].Manager, out int m);
            held.NextWaiter = _workers[m].FirstWaiter;
            _workers[m].FirstWaiter = h;
            Waiting++;
        }

        /// <summary>The worker's operation is not sent: release those waiting for them.</summary>
        public void Resolve(int w)
        {
            _workers[w].Progress = WorkerProgress.NotSent;
            Release(w);
        }

        /// <summary>Places an operation now.</summary>
        public void Place(int w, in OperationFacts facts, ReadOnlySpan<byte> data, string? source, long row, OperationKind kind)
        {
            if (_packer.Place(w, facts, data, source, row, kind))
            {
                _cascading = false; // a request filled by itself: the hierarchy below is flowing again
            }
        }

        /// <summary>Places a held operation now.</summary>
        public void PlaceHeld(int h)
        {
            ref Held held = ref _held[h];
            OperationFacts facts = _held.Read(h, out ReadOnlySpan<byte> data);
            held.State = HeldState.Placed;
            Place(held.Worker, facts, data, _places.SourceOf(held.Source), held.Row, held.Kind);
        }

        /// <summary>
        /// Makes progress on demand, so requests are written as they are taken rather than all at once: places released
        /// operations until a request is ready. When the request being written has not filled for a long time while
        /// operations wait for workers in it (the top of a hierarchy), it is completed early; taking requests then places
        /// the hierarchy level by level, one short request per level.
        /// </summary>
        public void Progress()
        {
            while (_packer.Ready == 0 && _released.Count > 0)
            {
                PlaceOneReleased();
            }

            if (_packer.Ready == 0 && (_cascading || _packer.SinceCompleted >= _flushThreshold) && _packer.InRequest.Count > 0 && _packer.InRequest.Any(w => _workers[w].FirstWaiter != WorkerRegistry.None))
            {
                // Keeps completing short requests, level by level, until one fills by itself.
                _cascading = true;
                _packer.CompleteRequest();
            }
        }

        /// <summary>
        /// One step of the end of a run: places a released operation, completes a request that waiters wait for, or
        /// breaks a cycle; false when nothing waits any more.
        /// </summary>
        public bool Settle()
        {
            if (_released.Count > 0)
            {
                PlaceOneReleased();
            }
            else if (Waiting > 0 && _packer.Pending > 0)
            {
                // Those waiting may be waiting for a manager in the request being written.
                _packer.CompleteRequest();
            }
            else if (Waiting > 0)
            {
                BreakCycle();
            }
            else
            {
                return false;
            }

            return true;
        }

        private void PlaceOneReleased()
        {
            int h = _released.Pop();
            Waiting--;
            PlaceHeld(h);
        }

        private void Release(int w)
        {
            int h = _workers[w].FirstWaiter;
            _workers[w].FirstWaiter = WorkerRegistry.None;
            while (h != WorkerRegistry.None)
            {
                _released.Push(h, _held[h].Ordinal);
                h = _held[h].NextWaiter;
            }
        }

        /// <summary>Only cycles keep workers waiting once everything else is placed: report one and place its earliest row.</summary>
        private void BreakCycle()
        {
            int start = WorkerRegistry.None;
            for (int h = 0; h < _held.Count; h++)
            {
                if (_held[h].State == HeldState.Waiting && (start == WorkerRegistry.None || _held[h].Ordinal < _held[start].Ordinal))
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
                if (!_workers.Find(_workers[w].Manager, out int m) || _workers[m].ChosenHeld == WorkerRegistry.None || _held[_workers[m].ChosenHeld].State != HeldState.Waiting)
                {
                    break; // the manager never came: nothing to report, just stop waiting
                }

                w = m;
            }

            int first = start;
            if (cycle.Count > 0)
            {
                first = cycle.Select(c => _workers[c].ChosenHeld).OrderBy(c => _held[c].Ordinal).First();
                string Name(int c) => $"'{_held.ExternalIdOf(_workers[c].ChosenHeld)}' ({_places.Where(_held[_workers[c].ChosenHeld].Source, _held[_workers[c].ChosenHeld].Row)})";
                string names = string.Join(" → ", cycle.Select(Name)) + $" → '{_held.ExternalIdOf(_workers[cycle[0]].ChosenHeld)}'";
                string firstId = _held.ExternalIdOf(first);
                _report(new ConversionDiagnostic(DiagnosticSeverity.Warning, "ManagerCycle", $"The manager references of {cycle.Count} workers form a cycle: {names}. They are still sent, starting with '{firstId}'; the service may not resolve every manager in that cycle.", _places.SourceOf(_held[first].Source), _held[first].Row, "manager", firstId));
            }

            Unlink(first);
            _released.Push(first, _held[first].Ordinal);
        }

        /// <summary>Takes a waiting row out of its manager's list (to place it without the manager).</summary>
        private void Unlink(int h)
        {
            _workers.Find(_workers[_held[h].Worker].Manager, out int m);
            ref int link = ref _workers[m].FirstWaiter;
            while (link != h)
            {
                link = ref _held[link].NextWaiter;
            }

            link = _held[h].NextWaiter;
        }
    }
}
