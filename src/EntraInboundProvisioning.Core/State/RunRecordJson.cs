using System;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;

namespace EntraInboundProvisioning.State
{
    /// <summary>
    /// A run record as the state file keeps it. It lives in Core, not beside RunRecord, because it needs
    /// System.Text.Json and the public types carry no dependency.
    /// </summary>
    internal static class RunRecordJson
    {
        public static JsonObject ToJson(RunRecord run)
        {
            var json = new JsonObject
            {
                ["startedAt"] = run.StartedAt.ToString("o", CultureInfo.InvariantCulture),
                ["completedAt"] = run.CompletedAt.ToString("o", CultureInfo.InvariantCulture),
                ["jobId"] = run.JobId,
                ["requests"] = run.Requests,
                ["accepted"] = run.Accepted,
                ["acceptedRecords"] = run.AcceptedRecords,
                ["notAccepted"] = run.NotAccepted,
                ["stopped"] = run.Stopped,
                ["recovered"] = run.Recovered,
                ["calls"] = run.Calls,
                ["cycleFailures"] = run.CycleFailures,
                ["cycleSuccesses"] = run.CycleSuccesses,
            };
            if (run.Refused is not null)
            {
                json["refused"] = run.Refused;
            }

            if (run.Plan is ConversionSummary plan)
            {
                json["plan"] = new JsonObject
                {
                    ["statePath"] = plan.StatePath,
                    ["sources"] = new JsonArray(plan.Sources.Select(n => (JsonNode?)n).ToArray()),
                    ["recordsInNoSource"] = plan.RecordsInNoSource,
                    ["moversFromMappingChange"] = plan.MoversFromMappingChange,
                    ["mappingChanged"] = plan.MappingChanged,
                    ["leaverRetries"] = plan.LeaverRetries,
                    ["dailyRequestLimit"] = plan.DailyRequestLimit,
                    ["recordsRead"] = plan.RecordsRead,
                    ["recordsWithErrors"] = plan.RecordsWithErrors,
                    ["repeatedRowsLeftOut"] = plan.RepeatedRowsLeftOut,
                    ["workersInState"] = plan.WorkersInState,
                    ["joiners"] = plan.Joiners,
                    ["movers"] = plan.Movers,
                    ["leavers"] = plan.Leavers,
                    ["retries"] = plan.Retries,
                    ["refreshes"] = plan.Refreshes,
                    ["unchanged"] = plan.Unchanged,
                    ["records"] = plan.Records,
                    ["operations"] = plan.Operations,
                    ["requests"] = plan.Requests,
                    ["leaverThreshold"] = plan.LeaverThreshold,
                    ["leaversInferred"] = plan.LeaversInferred,
                    ["leaversNote"] = plan.LeaversNote,
                    ["full"] = plan.Full,
                    ["completedAt"] = plan.CompletedAt.ToString("o", CultureInfo.InvariantCulture),
                };
            }

            return json;
        }

        public static RunRecord? FromJson(JsonNode? node)
        {
            if (node is not JsonObject json)
            {
                return null;
            }

            var run = new RunRecord
            {
                StartedAt = Time(json["startedAt"]),
                CompletedAt = Time(json["completedAt"]),
                JobId = json["jobId"]?.GetValue<string>(),
                Requests = json["requests"]?.GetValue<int>() ?? 0,
                Accepted = json["accepted"]?.GetValue<int>() ?? 0,
                AcceptedRecords = json["acceptedRecords"]?.GetValue<long>() ?? 0,
                NotAccepted = json["notAccepted"]?.GetValue<int>() ?? 0,
                Stopped = json["stopped"]?.GetValue<bool>() ?? false,
                Recovered = json["recovered"]?.GetValue<bool>() ?? false,
                Calls = json["calls"]?.GetValue<int>() ?? 0,
                CycleFailures = json["cycleFailures"]?.GetValue<long>() ?? 0,
                CycleSuccesses = json["cycleSuccesses"]?.GetValue<long>() ?? 0,
                Refused = json["refused"]?.GetValue<string>(),
            };
            if (json["plan"] is JsonObject plan)
            {
                run.Plan = new ConversionSummary
                {
                    StatePath = plan["statePath"]?.GetValue<string>(),
                    Sources = plan["sources"] is JsonArray sources ? sources.Select(n => n?.GetValue<string>() ?? string.Empty).ToArray() : Array.Empty<string>(),
                    RecordsInNoSource = plan["recordsInNoSource"]?.GetValue<long>() ?? 0,
                    MoversFromMappingChange = plan["moversFromMappingChange"]?.GetValue<long>() ?? 0,
                    MappingChanged = plan["mappingChanged"]?.GetValue<bool>() ?? false,
                    LeaverRetries = plan["leaverRetries"]?.GetValue<long>() ?? 0,
                    DailyRequestLimit = plan["dailyRequestLimit"]?.GetValue<int>(),
                    RecordsRead = plan["recordsRead"]?.GetValue<long>() ?? 0,
                    RecordsWithErrors = plan["recordsWithErrors"]?.GetValue<long>() ?? 0,
                    RepeatedRowsLeftOut = plan["repeatedRowsLeftOut"]?.GetValue<long>() ?? 0,
                    WorkersInState = plan["workersInState"]?.GetValue<int>() ?? 0,
                    Joiners = plan["joiners"]?.GetValue<long>() ?? 0,
                    Movers = plan["movers"]?.GetValue<long>() ?? 0,
                    Leavers = plan["leavers"]?.GetValue<long>() ?? 0,
                    Retries = plan["retries"]?.GetValue<long>() ?? 0,
                    Refreshes = plan["refreshes"]?.GetValue<long>() ?? 0,
                    Unchanged = plan["unchanged"]?.GetValue<long>() ?? 0,
                    Records = plan["records"]?.GetValue<long>() ?? 0,
                    Operations = plan["operations"]?.GetValue<long>() ?? 0,
                    Requests = plan["requests"]?.GetValue<int>() ?? 0,
                    LeaverThreshold = plan["leaverThreshold"]?.GetValue<string>(),
                    LeaversInferred = plan["leaversInferred"]?.GetValue<bool>() ?? false,
                    LeaversNote = plan["leaversNote"]?.GetValue<string>(),
                    Full = plan["full"]?.GetValue<bool>() ?? false,
                    CompletedAt = Time(plan["completedAt"]),
                };
            }

            return run;
        }

        private static DateTimeOffset Time(JsonNode? node)
            => node?.GetValue<string>() is string text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out DateTimeOffset value) ? value : default;
    }
}
