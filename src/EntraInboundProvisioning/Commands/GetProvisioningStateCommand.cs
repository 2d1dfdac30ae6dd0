using System;
using System.IO;
using System.Management.Automation;
using EntraInboundProvisioning.PowerShell.Session;
using EntraInboundProvisioning.State;

namespace EntraInboundProvisioning.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Shows what a run state holds: the job it belongs to, its workers, pending retries, and the runs on record.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "ProvisioningState", DefaultParameterSetName = SummarySet)]
    [OutputType(typeof(ProvisioningStateInfo), ParameterSetName = new[] { SummarySet })]
    [OutputType(typeof(WorkerStateInfo), ParameterSetName = new[] { WorkerSet })]
    [OutputType(typeof(RunRecord), ParameterSetName = new[] { HistorySet })]
    public sealed class GetProvisioningStateCommand : PSCmdlet
    {
        private const string SummarySet = "Summary";
        private const string WorkerSet = "Worker";
        private const string HistorySet = "History";

        /// <summary><para type="description">The run state file (as given to -StatePath).</para></summary>
        [Parameter(Mandatory = true, Position = 0)]
        [ValidateNotNullOrEmpty]
        [Alias("Path")]
        public string? StatePath { get; set; }

        /// <summary><para type="description">Shows what the state remembers of these workers instead: active, left, retry, when accepted.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = WorkerSet, ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        public string[]? ExternalId { get; set; }

        /// <summary><para type="description">Shows the runs on record instead, oldest first: what each planned (joiners, movers, leavers, retries), sent, had accepted, cost of the daily quota, and how its records did in the provisioning cycle once learned. The state keeps the last 400 runs (Send-ScimBulkRequest -HistoryLimit).</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = HistorySet)]
        public SwitchParameter History { get; set; }

        /// <summary><para type="description">With -History, only the newest runs, this many.</para></summary>
        [Parameter(ParameterSetName = HistorySet)]
        [ValidateRange(1, int.MaxValue)]
        public int Last { get; set; } = int.MaxValue;

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(StatePath);
            try
            {
                // A snapshot without the lock: the file is only ever replaced whole, so it is consistent while a run works.
                var (state, workers) = ProvisioningStateReader.Read(path);
                if (ParameterSetName == WorkerSet)
                {
                    WriteObject(workers(ExternalId!), enumerateCollection: true);
                    return;
                }

                if (ParameterSetName == HistorySet)
                {
                    for (int i = Math.Max(0, state.History.Count - Last); i < state.History.Count; i++)
                    {
                        WriteObject(state.History[i]);
                    }

                    return;
                }

                WriteObject(state);
            }
            catch (Exception ex) when (StateSessions.ReadError(ex, path) is ErrorRecord error)
            {
                WriteError(error);
            }
        }
    }
}
