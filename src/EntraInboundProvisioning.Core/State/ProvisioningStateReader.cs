using System;
using System.Collections.Generic;

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

            (WorkerStateTable table, System.Text.Json.Nodes.JsonObject header) = StateFile.Read(path);
            int unsaved = RunState.ReplayJournal(path + ".journal", table);
            var info = new ProvisioningStateInfo
            {
                Path = path,
                ServicePrincipalId = header["servicePrincipalId"]?.GetValue<string>(),
                JobId = header["jobId"]?.GetValue<string>(),
                SavedAt = header["savedAt"]?.GetValue<string>() is string saved ? DateTimeOffset.Parse(saved, System.Globalization.CultureInfo.InvariantCulture) : null,
                Workers = table.Count,
                UnsavedRecords = unsaved,
                FileSize = new System.IO.FileInfo(path).Length,
                LastRun = RunRecordJson.FromJson(header["lastRun"]),
            };
            for (int p = 0; p < table.Count; p++)
            {
                WorkerStateFlags flags = table[p].Flags;
                info.ActiveWorkers += (flags & WorkerStateFlags.Active) != 0 ? 1 : 0;
                info.Leavers += (flags & WorkerStateFlags.Left) != 0 ? 1 : 0;
                info.PendingRetries += (flags & WorkerStateFlags.Retry) != 0 ? 1 : 0;
            }

            info.InactiveWorkers = info.Workers - info.ActiveWorkers;
            IEnumerable<WorkerStateInfo> Workers(IEnumerable<string> externalIds)
            {
                foreach (string externalId in externalIds)
                {
                    if (table.TryFind(Scim.WorkerKey.Of(externalId), out int p))
                    {
                        ref WorkerStateEntry entry = ref table[p];
                        yield return new WorkerStateInfo
                        {
                            ExternalId = table.ExternalId(p),
                            UserName = table.UserName(p),
                            Active = (entry.Flags & WorkerStateFlags.Active) != 0,
                            Left = (entry.Flags & WorkerStateFlags.Left) != 0,
                            Retry = (entry.Flags & WorkerStateFlags.Retry) != 0,
                            AcceptedAt = DateTimeOffset.FromUnixTimeSeconds(entry.AcceptedAt),
                            RecordHash = entry.Hash.ToString("x16", System.Globalization.CultureInfo.InvariantCulture),
                        };
                    }
                }
            }

            return (info, Workers);
        }
    }
}
