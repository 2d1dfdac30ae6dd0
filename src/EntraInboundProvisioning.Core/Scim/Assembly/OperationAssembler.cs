using System;
using System.Collections.Generic;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>
    /// Decides which converted operations a run sends and in what order, and packs them into bulk requests: one
    /// operation per worker (the row <see cref="RowChoice"/> picks), and every manager in an earlier request than the
    /// workers who report to them (<see cref="ManagerOrder"/>); otherwise input order.
    /// <para>
    /// Both rules need the whole input, so how a run assembles depends on its input, chosen once (<see cref="Create"/>):
    /// a re-readable input (CSV files) is indexed first and then streams (<see cref="TwoPassAssembler"/>); pipeline input
    /// is held until it ends and then replayed the same way (<see cref="HeldAssembler"/>); keeping the first row of
    /// each worker with nothing to order streams without either (<see cref="DirectAssembler"/>).
    /// </para>
    /// </summary>
    internal abstract class OperationAssembler : IDisposable
    {
        private List<(WorkerKey Key, OperationFacts Facts, byte[] Data, OperationKind Kind)>? _extra;

        protected OperationAssembler(ConversionOptions options, bool orderManagers, Action<ConversionDiagnostic> report)
        {
            Options = options;
            Report = report;
            Workers = new WorkerRegistry();
            Places = new RowPlaces();
            Choice = new RowChoice(options.DuplicateExternalId, Workers, Places, report);
            Held = new HeldOperations(options);
            Packer = new RequestPacker(options.OperationsPerRequest, Workers);
            Order = new ManagerOrder(orderManagers, options.OperationsPerRequest, Workers, Held, Packer, Places, report);
        }

        /// <summary>True when managers are placed before their reports.</summary>
        public bool OrderManagers => Order.Enabled;

        /// <summary>True when requests are written while records arrive (not only at <see cref="Complete"/>).</summary>
        public abstract bool IsStreaming { get; }

        /// <summary>Operations that will be sent (one per worker).</summary>
        public long Operations { get; protected set; }

        /// <summary>Rows left out because another row of the same worker was chosen.</summary>
        public long Superseded => Choice.Superseded;

        /// <summary>Workers whose chosen row is unchanged since the last accepted run: not sent.</summary>
        public long Unchanged { get; protected set; }

        /// <summary>Requests completed so far.</summary>
        public int RequestsCompleted => Packer.Completed;

        /// <summary>Operations waiting right now (for their manager, or for the end of pipeline input).</summary>
        public virtual int Waiting => Order.Waiting;

        /// <summary>Bytes of waiting operations written to the encrypted temporary file.</summary>
        public long SpilledBytes => Held.SpilledBytes;

        protected ConversionOptions Options { get; }

        protected Action<ConversionDiagnostic> Report { get; }

        protected WorkerRegistry Workers { get; }

        protected RowPlaces Places { get; }

        protected RowChoice Choice { get; }

        protected HeldOperations Held { get; }

        protected RequestPacker Packer { get; }

        protected ManagerOrder Order { get; }

        /// <summary>Operations that do not come from the input (leavers) that the run has not placed yet.</summary>
        protected IReadOnlyList<(WorkerKey Key, OperationFacts Facts, byte[] Data, OperationKind Kind)> Extra
            => (IReadOnlyList<(WorkerKey, OperationFacts, byte[], OperationKind)>?)_extra ?? Array.Empty<(WorkerKey, OperationFacts, byte[], OperationKind)>();

        /// <summary>What <see cref="Complete"/> leaves to write, written as it is taken.</summary>
        protected IEnumerator<BulkRequest>? Tail { get; set; }

        /// <summary>Rows offered to <see cref="Add"/> and its kin so far.</summary>
        protected long Offered { get; set; }

        /// <summary>
        /// The assembler for a run: <paramref name="rereadable"/> inputs (files) are indexed first when the run needs
        /// the whole input (a repeated worker's last row, managers first, leavers); pipeline input is held until it ends.
        /// </summary>
        public static OperationAssembler Create(ConversionOptions options, bool orderManagers, bool decidesLeavers, Action<ConversionDiagnostic> report, bool rereadable)
        {
            if (!NeedsWholeInput(options, orderManagers, decidesLeavers))
            {
                return new DirectAssembler(options, report);
            }

            return rereadable ? new TwoPassAssembler(options, orderManagers, report) : new HeldAssembler(options, orderManagers, report);
        }

        /// <summary>True when a row's fate depends on rows after it: the last row wins, managers go first, or leavers are found.</summary>
        public static bool NeedsWholeInput(ConversionOptions options, bool orderManagers, bool decidesLeavers)
            => options.DuplicateExternalId != DuplicateExternalIdHandling.First || orderManagers || decidesLeavers;

        /// <summary>Operations written into requests so far, by why they are sent.</summary>
        public long Count(OperationKind kind) => Packer.Count(kind);

        /// <summary>First pass over a re-readable input: a row's worker and manager (only a two-pass assembler takes it).</summary>
        public virtual void Index(WorkerKey key, string externalId, WorkerKey? manager, string? source, long row)
            => throw new InvalidOperationException("Only a run over a re-readable input indexes it first.");

        /// <summary>A first-pass row that has no externalId (or is filtered out).</summary>
        public virtual void IndexWithoutWorker()
            => throw new InvalidOperationException("Only a run over a re-readable input indexes it first.");

        /// <summary>Ends the first pass.</summary>
        public virtual void EndIndex()
            => throw new InvalidOperationException("Only a run over a re-readable input indexes it first.");

        /// <summary>Takes an operation: written now, held for its manager, or held until the end.</summary>
        public abstract void Add(WorkerKey key, in OperationFacts facts, WorkerKey? manager, string? source, long row, ReadOnlySpan<byte> data, OperationKind kind);

        /// <summary>
        /// A row of a worker that is not sent (it had errors, or is unchanged since the last accepted run): it takes part
        /// in choosing each worker's row, and nobody waits for it.
        /// </summary>
        public abstract void AddNotSent(WorkerKey key, string externalId, string? source, long row, bool unchanged = false);

        /// <summary>A row without an externalId: counted, so the rows of both passes stay aligned.</summary>
        public void AddWithoutWorker() => Offered++;

        /// <summary>
        /// Adds an operation that does not come from the input (a leaver's disable). It goes before the input's
        /// operations when the run can still place it there (see the overrides), else after everything else.
        /// </summary>
        public virtual void AddLeaver(WorkerKey key, in OperationFacts facts, byte[] data, OperationKind kind)
        {
            _extra ??= new List<(WorkerKey, OperationFacts, byte[], OperationKind)>();
            _extra.Add((key, facts, data, kind));
        }

        /// <summary>Every worker known to the run: indexed, or seen so far.</summary>
        public bool Knows(WorkerKey key) => Workers.Find(key, out _);

        /// <summary>
        /// The input has ended: checks it, and applies what needed all of it. After this, <see cref="Knows"/> answers for
        /// the whole input.
        /// </summary>
        /// <exception cref="DuplicateExternalIdException">Under the Error policy, when a worker repeats.</exception>
        /// <exception cref="InputChangedException">The input changed between the two passes.</exception>
        public abstract void EndInput();

        /// <summary>No more input: the last requests are written as they are taken (<see cref="TryTake"/>).</summary>
        /// <exception cref="DuplicateExternalIdException">Under the Error policy, when a worker repeats.</exception>
        /// <exception cref="InputChangedException">The input changed between the two passes.</exception>
        public abstract void Complete();

        /// <summary>Takes a completed request, if one is ready; after <see cref="Complete"/>, the last ones are written as they are taken.</summary>
        public virtual bool TryTake(out BulkRequest? request)
        {
            if (Packer.TryTake(out request))
            {
                return true;
            }

            if (Tail is not null && Tail.MoveNext())
            {
                request = Tail.Current;
                return true;
            }

            request = null;
            return false;
        }

        public void Dispose()
        {
            Tail?.Dispose();
            Packer.Dispose();
            Held.Dispose();
        }

        /// <summary>
        /// The end of a run that orders: places what still waits (level by level, breaking cycles), then completes the
        /// last request. Requests are written as they are taken.
        /// </summary>
        protected IEnumerable<BulkRequest> Settle()
        {
            while (true)
            {
                while (Packer.TryTake(out BulkRequest? ready))
                {
                    yield return ready!;
                }

                if (!Order.Settle())
                {
                    break;
                }
            }

            Packer.CompleteRequest();
            while (Packer.TryTake(out BulkRequest? last))
            {
                yield return last!;
            }
        }
    }
}
