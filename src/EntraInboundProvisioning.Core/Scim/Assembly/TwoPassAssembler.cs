using System;
using System.Collections.Generic;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>
    /// A run over a re-readable input (CSV files) that needs the whole input: a first pass indexes each row's worker and
    /// manager (<see cref="Index"/>), so the second streams: an operation goes out at once unless its manager is still to
    /// come, and only such operations wait. Both passes must read the same rows.
    /// </summary>
    internal sealed class TwoPassAssembler : OperationAssembler
    {
        private long _indexed;
        private long _leaversPlaced;
        private bool _indexEnded;
        private bool _inputEnded;
        private bool _completed;

        public TwoPassAssembler(ConversionOptions options, bool orderManagers, Action<ConversionDiagnostic> report)
            : base(options, orderManagers, report)
        {
        }

        public override bool IsStreaming => true;

        /// <summary>True until the first pass ends.</summary>
        public bool Indexing => !_indexEnded;

        public override void Index(WorkerKey key, string externalId, WorkerKey? manager, string? source, long row)
        {
            RequireIndexing();
            int w = Choice.Register(key, externalId, source, row, ++_indexed, out bool chosen);
            if (chosen)
            {
                Order.SetManager(w, key, manager, externalId);
            }
        }

        public override void IndexWithoutWorker()
        {
            RequireIndexing();
            _indexed++;
        }

        /// <summary>Ends the first pass; under the Error policy, reports every repeat and throws.</summary>
        public override void EndIndex()
        {
            if (_indexEnded)
            {
                return;
            }

            _indexEnded = true;
            Choice.ThrowOnRepeats();
            Order.ReportSelfManaged();
        }

        /// <summary>
        /// Leavers are decided when the first pass ends, before the second reads a row: they are placed then, so the
        /// first requests carry the disables (a run cut short by the daily request limit still sends them).
        /// </summary>
        public override void AddLeaver(WorkerKey key, in OperationFacts facts, byte[] data, OperationKind kind)
        {
            if (!_indexEnded || Offered > 0)
            {
                base.AddLeaver(key, facts, data, kind);
                return;
            }

            // Ordinals after the input's: a leaver is missing from the input, so no row of it competes.
            int w = Choice.Register(key, facts.ExternalId, null, 0, _indexed + ++_leaversPlaced, out _);
            Operations++;
            Order.Place(w, facts, data, null, 0, kind);
        }

        public override void Add(WorkerKey key, in OperationFacts facts, WorkerKey? manager, string? source, long row, ReadOnlySpan<byte> data, OperationKind kind)
        {
            long ordinal = NextOffered();
            if (!Choice.IsChosen(key, ordinal, out int w))
            {
                return;
            }

            Operations++;
            Packer.SinceCompleted++;
            if (Order.MustWait(w))
            {
                Order.Wait(Held.Hold(w, facts, Places.IndexOf(source), row, data, kind, ordinal), w);
                return;
            }

            Order.Place(w, facts, data, source, row, kind);
        }

        public override void AddNotSent(WorkerKey key, string externalId, string? source, long row, bool unchanged = false)
        {
            if (Choice.IsChosen(key, NextOffered(), out int w))
            {
                Unchanged += unchanged ? 1 : 0;
                Order.Resolve(w);
            }
        }

        public override bool TryTake(out BulkRequest? request)
        {
            if (!_completed)
            {
                Order.Progress();
            }

            return base.TryTake(out request);
        }

        /// <exception cref="InputChangedException">The second pass read another number of rows than the first.</exception>
        public override void EndInput()
        {
            if (_inputEnded)
            {
                return;
            }

            EndIndex();
            if (Offered != _indexed)
            {
                throw new InputChangedException($"The input changed while it was read: the first pass read {_indexed:N0} record(s), the second {Offered:N0}. Nothing more is converted; run again on a file that is not being written.");
            }

            _inputEnded = true;
        }

        public override void Complete()
        {
            if (_completed)
            {
                return;
            }

            EndInput();
            _completed = true;
            Tail = Finish().GetEnumerator();
        }

        /// <summary>Leavers not placed first go after every record of the input, nobody waiting for them; then whatever still waits.</summary>
        private IEnumerable<BulkRequest> Finish()
        {
            foreach ((WorkerKey key, OperationFacts facts, byte[] data, OperationKind kind) in Extra)
            {
                int w = Choice.Register(key, facts.ExternalId, null, 0, ++Offered, out _);
                Operations++;
                Order.Place(w, facts, data, null, 0, kind);
                while (Packer.TryTake(out BulkRequest? request))
                {
                    yield return request!;
                }
            }

            foreach (BulkRequest request in Settle())
            {
                yield return request;
            }
        }

        private long NextOffered()
        {
            if (!_indexEnded)
            {
                throw new InvalidOperationException("The input is being indexed: call EndIndex before converting.");
            }

            return ++Offered;
        }

        private void RequireIndexing()
        {
            if (_indexEnded)
            {
                throw new InvalidOperationException("The first pass has ended: Index comes before EndIndex.");
            }
        }
    }
}
