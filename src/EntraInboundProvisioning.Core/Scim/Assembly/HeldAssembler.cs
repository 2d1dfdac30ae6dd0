using System;
using System.Collections.Generic;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>
    /// A run over pipeline input that needs the whole input: input cannot be read twice, so every operation is held
    /// (in the buffer, which spills to an encrypted file) until the input ends, and then offered in input order as the
    /// second pass of a two-pass run would: managers first, the chosen row of each worker.
    /// </summary>
    internal sealed class HeldAssembler : OperationAssembler
    {
        private bool _inputEnded;
        private bool _completed;
        private int _leaversFrom = -1;

        public HeldAssembler(ConversionOptions options, bool orderManagers, Action<ConversionDiagnostic> report)
            : base(options, orderManagers, report)
        {
        }

        public override bool IsStreaming => false;

        public override void Add(WorkerKey key, in OperationFacts facts, WorkerKey? manager, string? source, long row, ReadOnlySpan<byte> data, OperationKind kind)
        {
            long ordinal = ++Offered;
            int w = Choice.Register(key, facts.ExternalId, source, row, ordinal, out bool chosen);
            int h = Held.Hold(w, facts, Places.IndexOf(source), row, data, kind, ordinal);
            if (chosen)
            {
                Order.SetManager(w, key, manager, facts.ExternalId);
                Choose(w, h);
            }
            else
            {
                Held[h].State = HeldState.Superseded;
            }
        }

        public override void AddNotSent(WorkerKey key, string externalId, string? source, long row, bool unchanged = false)
        {
            long ordinal = ++Offered;
            int w = Choice.Register(key, externalId, source, row, ordinal, out bool chosen);
            int h = Held.Hold(w, null, Places.IndexOf(source), row, ReadOnlySpan<byte>.Empty, OperationKind.Record, ordinal);
            Held[h].State = unchanged ? HeldState.Unchanged : HeldState.NotSent;
            if (chosen)
            {
                Choose(w, h);
            }
            else
            {
                Held[h].State = HeldState.Superseded;
            }
        }

        public override void EndInput()
        {
            if (_inputEnded)
            {
                return;
            }

            Choice.ThrowOnRepeats();
            Order.ReportSelfManaged();
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
            _leaversFrom = Held.Count;
            foreach ((WorkerKey key, OperationFacts facts, byte[] data, OperationKind kind) in Extra)
            {
                long ordinal = ++Offered;
                int w = Choice.Register(key, facts.ExternalId, null, 0, ordinal, out _);
                Choose(w, Held.Hold(w, facts, Places.IndexOf(null), 0, data, kind, ordinal));
            }

            Tail = Replay().GetEnumerator();
        }

        /// <summary>A later row replaces the held operation chosen so far.</summary>
        private void Choose(int w, int h)
        {
            ref Worker worker = ref Workers[w];
            if (worker.ChosenHeld != WorkerRegistry.None)
            {
                Held[worker.ChosenHeld].State = HeldState.Superseded;
            }

            worker.ChosenHeld = h;
        }

        /// <summary>
        /// Offers the leavers' disables first (so a run the daily request limit cuts short still sends them), then every
        /// chosen row in input order, as the streaming pass of a two-pass run does.
        /// </summary>
        private IEnumerable<BulkRequest> Replay()
        {
            int count = Held.Count;
            int leavers = _leaversFrom < 0 ? 0 : count - _leaversFrom;
            for (int i = 0; i < count; i++)
            {
                int h = i < leavers ? _leaversFrom + i : i - leavers;
                ref Held held = ref Held[h];
                if (held.State is HeldState.NotSent or HeldState.Unchanged)
                {
                    Unchanged += held.State == HeldState.Unchanged ? 1 : 0;
                    Order.Resolve(held.Worker);
                }
                else if (held.State == HeldState.Held)
                {
                    Operations++;
                    Packer.SinceCompleted++;
                    if (Order.MustWait(held.Worker))
                    {
                        Order.Wait(h, held.Worker);
                    }
                    else
                    {
                        Order.PlaceHeld(h);
                    }
                }

                Order.Progress();
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
    }
}
