using System.Collections.Generic;

namespace EntraInboundProvisioning.Reports
{
    /// <summary>Workers whose last cycle failed with one error code.</summary>
    public sealed class FailureGroup
    {
        private readonly List<ReportWorker> _workers = new List<ReportWorker>();

        /// <summary>Creates a group.</summary>
        public FailureGroup(string code)
        {
            Code = code;
            (string Cause, string Fix)? known = ProvisioningReport.Explain(code);
            Cause = known?.Cause;
            Fix = known?.Fix;
        }

        /// <summary>The error code ("Failure" when the log gave none).</summary>
        public string Code { get; }

        /// <summary>What usually causes it, for the common codes.</summary>
        public string? Cause { get; }

        /// <summary>What to do about it, for the common codes.</summary>
        public string? Fix { get; }

        /// <summary>Workers in the group.</summary>
        public long Count { get; private set; }

        /// <summary>The first of them (at most <see cref="ProvisioningReport.ListLimit"/>).</summary>
        public IReadOnlyList<ReportWorker> Workers => _workers;

        internal void Add(ReportWorker worker)
        {
            Count++;
            if (_workers.Count < ProvisioningReport.ListLimit)
            {
                _workers.Add(worker);
            }
        }
    }
}
