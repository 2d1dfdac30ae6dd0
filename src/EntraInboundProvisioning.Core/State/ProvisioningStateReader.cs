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
            Snapshot snapshot = Load(path);
            IEnumerable<WorkerStateInfo> Workers(IEnumerable<string> externalIds)
            {
                foreach (string externalId in externalIds)
                {
                    if (snapshot.Table.TryFind(Scim.WorkerKey.Of(externalId), out int p))
                    {
                        yield return snapshot.Worker(p);
                    }
                }
            }

            return (snapshot.State, Workers);
        }

        /// <summary>The state at <paramref name="path"/> with its table, for a caller that walks every worker (a report).</summary>
        /// <exception cref="System.IO.FileNotFoundException">There is no state file yet.</exception>
        /// <exception cref="System.IO.InvalidDataException">The file is not a state file or is damaged.</exception>
        /// <param name="path">The state file.</param>
        /// <param name="indexed">False for a snapshot that is only walked (a report): faster to load; its workers cannot be looked up.</param>
        internal static Snapshot Load(string path, bool indexed = true)
        {
            // The first run may have died before it saved: then its journal is all there is, and it is what was sent.
            bool saved = System.IO.File.Exists(path);
            if (!saved && !System.IO.File.Exists(StateFiles.Journal(path)))
            {
                throw new System.IO.FileNotFoundException($"There is no state file '{path}' yet: the first run with -StatePath creates it.", path);
            }

            // Replaying a journal updates workers in place, which needs the index.
            var journal = new System.IO.FileInfo(StateFiles.Journal(path));
            (WorkerStateTable table, StateHeader header) = RunState.Open(path, indexed || (journal.Exists && journal.Length > 0));
            StateJournal.Replayed replayed = StateJournal.Replay(StateFiles.Journal(path), (fact, at) => RunState.Apply(table, header, fact, at));
            if (!saved && !replayed.Ran)
            {
                throw new System.IO.FileNotFoundException($"There is no state file '{path}' yet: the first run with -StatePath creates it.", path);
            }

            var history = new List<RunRecord>(header.History);
            if (replayed.Ran)
            {
                history.Add(replayed.ToRunRecord());
            }

            var info = new ProvisioningStateInfo
            {
                Path = path,
                ServicePrincipalId = header.ServicePrincipalId,
                JobId = header.JobId,
                SavedAt = header.SavedAt,
                Workers = table.Count,
                UnsavedRecords = replayed.Records,
                FileSize = saved ? new System.IO.FileInfo(path).Length : 0,
                LastRun = history.Count == 0 ? null : history[history.Count - 1],
                History = history,
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
            return new Snapshot(info, table, header);
        }

        /// <summary>A state read whole: its summary, and each worker by position.</summary>
        internal sealed class Snapshot
        {
            public Snapshot(ProvisioningStateInfo state, WorkerStateTable table, StateHeader header)
            {
                State = state;
                Table = table;
                Header = header;
            }

            public ProvisioningStateInfo State { get; }

            public WorkerStateTable Table { get; }

            public StateHeader Header { get; }

            /// <summary>What the state remembers of the worker at <paramref name="p"/>.</summary>
            public WorkerStateInfo Worker(int p)
            {
                ref WorkerStateEntry entry = ref Table[p];
                string lastError = Table.LastError(p);
                return new WorkerStateInfo
                {
                    ExternalId = Table.ExternalId(p),
                    UserName = Table.UserName(p),
                    Active = (entry.Flags & WorkerStateFlags.Active) != 0,
                    Left = (entry.Flags & WorkerStateFlags.Left) != 0,
                    Retry = (entry.Flags & WorkerStateFlags.Retry) != 0,
                    DisablePending = DisablePending(entry.Flags),
                    AwaitingOutcome = (entry.Flags & WorkerStateFlags.Pending) != 0,
                    LastError = lastError.Length == 0 ? null : lastError,
                    Source = Header.SourceName(entry.Source),
                    AcceptedAt = DateTimeOffset.FromUnixTimeSeconds(entry.AcceptedAt),
                    RecordHash = entry.Hash.ToString("x16", CultureInfo.InvariantCulture),
                };
            }
        }

        /// <summary>
        /// A disable no cycle has confirmed: a leaver's, sent and waiting for its outcome or failed and sent again; or
        /// that of a worker HR marks inactive whose last record failed in its cycle (the account may still be enabled).
        /// </summary>
        internal static bool DisablePending(WorkerStateFlags flags)
            => ((flags & WorkerStateFlags.Left) != 0 && (flags & (WorkerStateFlags.Pending | WorkerStateFlags.Retry)) != 0)
                || (flags & (WorkerStateFlags.Active | WorkerStateFlags.Retry)) == WorkerStateFlags.Retry;
    }
}
