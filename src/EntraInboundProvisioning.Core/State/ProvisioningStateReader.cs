using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace EntraInboundProvisioning.State
{
    /// <summary>Reads a state without taking it: a consistent snapshot, even while a run uses it.</summary>
    public static class ProvisioningStateReader
    {
        /// <summary>The state at <paramref name="path"/>, with the journal of an interrupted run applied.</summary>
        /// <exception cref="System.IO.FileNotFoundException">There is no state file yet.</exception>
        /// <exception cref="System.IO.InvalidDataException">The file is not a state file or is damaged.</exception>
        public static (ProvisioningStateInfo State, Func<IEnumerable<string>, IEnumerable<WorkerStateInfo>> Workers) Read(string path)
        {
            if (!System.IO.File.Exists(path))
            {
                throw new System.IO.FileNotFoundException($"There is no state file '{path}' yet: the first run with -StatePath creates it.", path);
            }

            (WorkerStateTable table, StateHeader header) = RunState.Open(path);
            StateJournal.Replayed replayed = StateJournal.Replay(path + ".journal", (fact, at) => RunState.Apply(table, header, fact, at));
            var info = new ProvisioningStateInfo
            {
                Path = path,
                ServicePrincipalId = header.ServicePrincipalId,
                JobId = header.JobId,
                SavedAt = header.SavedAt,
                Workers = table.Count,
                UnsavedRecords = replayed.Records,
                FileSize = new System.IO.FileInfo(path).Length,
                LastRun = replayed.Requests > 0 ? replayed.ToRunRecord() : header.LastRun,
            };
            var sources = new SortedSet<string>(StringComparer.OrdinalIgnoreCase);
            for (int p = 0; p < table.Count; p++)
            {
                WorkerStateFlags flags = table[p].Flags;
                info.ActiveWorkers += (flags & WorkerStateFlags.Active) != 0 ? 1 : 0;
                info.Leavers += (flags & WorkerStateFlags.Left) != 0 ? 1 : 0;
                info.PendingRetries += (flags & WorkerStateFlags.Retry) != 0 ? 1 : 0;
                info.AwaitingOutcome += (flags & WorkerStateFlags.Pending) != 0 ? 1 : 0;
                info.DisablesPending += DisablePending(flags) ? 1 : 0;
                if (header.SourceName(table[p].Source) is string source)
                {
                    sources.Add(source);
                }
            }

            info.InactiveWorkers = info.Workers - info.ActiveWorkers;
            info.Sources = sources.ToArray();
            IEnumerable<WorkerStateInfo> Workers(IEnumerable<string> externalIds)
            {
                foreach (string externalId in externalIds)
                {
                    if (table.TryFind(Scim.WorkerKey.Of(externalId), out int p))
                    {
                        ref WorkerStateEntry entry = ref table[p];
                        string lastError = table.LastError(p);
                        yield return new WorkerStateInfo
                        {
                            ExternalId = table.ExternalId(p),
                            UserName = table.UserName(p),
                            Active = (entry.Flags & WorkerStateFlags.Active) != 0,
                            Left = (entry.Flags & WorkerStateFlags.Left) != 0,
                            Retry = (entry.Flags & WorkerStateFlags.Retry) != 0,
                            DisablePending = DisablePending(entry.Flags),
                            AwaitingOutcome = (entry.Flags & WorkerStateFlags.Pending) != 0,
                            LastError = lastError.Length == 0 ? null : lastError,
                            Source = header.SourceName(entry.Source),
                            AcceptedAt = DateTimeOffset.FromUnixTimeSeconds(entry.AcceptedAt),
                            RecordHash = entry.Hash.ToString("x16", CultureInfo.InvariantCulture),
                        };
                    }
                }
            }

            return (info, Workers);
        }

        private static bool DisablePending(WorkerStateFlags flags)
            => (flags & WorkerStateFlags.Left) != 0 && (flags & (WorkerStateFlags.Pending | WorkerStateFlags.Retry)) != 0;
    }
}
