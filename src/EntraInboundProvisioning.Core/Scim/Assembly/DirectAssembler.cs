using System;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>
    /// A run whose rows do not depend on the rows after them (the first row of a repeated worker wins, nothing is
    /// ordered, no leavers): each operation is written as it arrives.
    /// </summary>
    internal sealed class DirectAssembler : OperationAssembler
    {
        private bool _completed;

        public DirectAssembler(ConversionOptions options, Action<ConversionDiagnostic> report)
            : base(options, orderManagers: false, report)
        {
        }

        public override bool IsStreaming => true;

        public override void Add(WorkerKey key, in OperationFacts facts, WorkerKey? manager, string? source, long row, ReadOnlySpan<byte> data, OperationKind kind)
        {
            Choice.Register(key, facts.ExternalId, source, row, ++Offered, out bool chosen);
            if (chosen)
            {
                Operations++;
                Packer.Append(facts, key, data, source, row, kind);
            }
        }

        public override void AddNotSent(WorkerKey key, string externalId, string? source, long row, bool unchanged = false)
        {
            Choice.Register(key, externalId, source, row, ++Offered, out bool first);
            Unchanged += first && unchanged ? 1 : 0;
        }

        public override void EndInput()
        {
        }

        public override void Complete()
        {
            if (_completed)
            {
                return;
            }

            _completed = true;
            foreach ((WorkerKey key, OperationFacts facts, byte[] data, OperationKind kind) in Extra)
            {
                Choice.Register(key, facts.ExternalId, null, 0, ++Offered, out _);
                Operations++;
                Packer.Append(facts, key, data, null, 0, kind);
            }

            Packer.CompleteRequest();
        }
    }
}
