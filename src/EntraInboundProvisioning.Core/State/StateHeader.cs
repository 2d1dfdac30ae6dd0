using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.Json.Nodes;

namespace EntraInboundProvisioning.State
{
    /// <summary>
    /// The state file's header, typed: the job it belongs to, when it was saved, the history of its runs, the sources its
    /// workers came from with the fingerprint of each source's mapping, and the daily request limit the last send used.
    /// </summary>
    internal sealed class StateHeader
    {
        private readonly JsonObject _json;
        /// <summary>Runs a history keeps unless told otherwise: more than a year of daily runs.</summary>
        public const int DefaultHistoryLimit = 400;

        private readonly List<string> _sources = new List<string> { string.Empty };
        private List<RunRecord>? _history;

        public StateHeader(JsonObject json)
        {
            _json = json;
            if (json["sources"] is JsonArray sources)
            {
                _sources.Clear();
                foreach (JsonNode? name in sources)
                {
                    _sources.Add(name?.GetValue<string>() ?? string.Empty);
                }
            }
        }

        /// <summary>A header for a new state.</summary>
        public static StateHeader New() => new StateHeader(new JsonObject { ["createdAt"] = DateTimeOffset.UtcNow.ToString("o", CultureInfo.InvariantCulture) });

        public JsonObject Json => _json;

        public string? JobId => _json["jobId"]?.GetValue<string>();

        public string? ServicePrincipalId => _json["servicePrincipalId"]?.GetValue<string>();

        public DateTimeOffset? SavedAt
        {
            get => _json["savedAt"]?.GetValue<string>() is string text ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture) : null;
            set => _json["savedAt"] = value?.ToString("o", CultureInfo.InvariantCulture);
        }

        /// <summary>The last run on record (the newest of <see cref="History"/>).</summary>
        public RunRecord? LastRun => History.Count == 0 ? null : History[History.Count - 1];

        /// <summary>
        /// The runs on record, oldest first, at most <see cref="HistoryLimit"/>. A state saved before the history was
        /// kept has its last run as its history. Changes are written by <see cref="Flush"/>.
        /// </summary>
        public List<RunRecord> History
        {
            get
            {
                if (_history is null)
                {
                    _history = new List<RunRecord>();
                    if (_json["history"] is JsonArray runs)
                    {
                        foreach (JsonNode? run in runs)
                        {
                            if (RunRecordJson.FromJson(run) is RunRecord record)
                            {
                                _history.Add(record);
                            }
                        }
                    }
                    else if (RunRecordJson.FromJson(_json["lastRun"]) is RunRecord last)
                    {
                        _history.Add(last);
                    }
                }

                return _history;
            }
        }

        /// <summary>How many runs the history keeps (400 unless a send said otherwise).</summary>
        public int HistoryLimit
        {
            get => _json["historyLimit"]?.GetValue<int>() ?? DefaultHistoryLimit;
            set => _json["historyLimit"] = value == DefaultHistoryLimit ? null : value;
        }

        /// <summary>
        /// Adds a run to the history, dropping the oldest beyond the limit, but never a run of the 24 hours before this one:
        /// the daily request limit counts their calls (<see cref="RunHistory.CallsInLast24Hours"/>), and a small limit with
        /// frequent runs would otherwise let a state overrun the tenant's quota.
        /// </summary>
        public void AddRun(RunRecord run)
        {
            History.Add(run);
            int excess = History.Count - Math.Max(1, HistoryLimit);
            DateTimeOffset dayBefore = run.CompletedAt > DateTimeOffset.MinValue.AddHours(24) ? run.CompletedAt.AddHours(-24) : DateTimeOffset.MinValue;
            int drop = 0;
            while (drop < excess && History[drop].CompletedAt <= dayBefore)
            {
                drop++;
            }

            if (drop > 0)
            {
                History.RemoveRange(0, drop);
            }
        }

        /// <summary>Writes the history into the header's JSON (and the last run, which older versions read).</summary>
        public void Flush()
        {
            if (_history is null)
            {
                return;
            }

            var runs = new JsonArray();
            foreach (RunRecord run in _history)
            {
                runs.Add(RunRecordJson.ToJson(run));
            }

            _json["history"] = runs;
            _json["lastRun"] = LastRun is RunRecord last ? RunRecordJson.ToJson(last) : null;
        }

        /// <summary>The daily request limit of the last send with this state, or null.</summary>
        public int? DailyRequestLimit
        {
            get => _json["dailyRequestLimit"]?.GetValue<int>();
            set => _json["dailyRequestLimit"] = value;
        }

        public void BindJob(string servicePrincipalId, string jobId)
        {
            _json["servicePrincipalId"] = servicePrincipalId;
            _json["jobId"] = jobId;
        }

        /// <summary>The name of a source index (0: unknown, null).</summary>
        public string? SourceName(byte index) => index < _sources.Count && _sources[index].Length > 0 ? _sources[index] : null;

        /// <summary>The index of a source name, added when new; 0 for none. At most 255 names, then 0.</summary>
        public byte SourceIndex(string? name)
        {
            if (string.IsNullOrEmpty(name))
            {
                return 0;
            }

            int found = _sources.FindIndex(s => string.Equals(s, name, StringComparison.OrdinalIgnoreCase));
            if (found > 0)
            {
                return (byte)found;
            }

            if (_sources.Count > byte.MaxValue)
            {
                return 0;
            }

            _sources.Add(name!);
            var array = new JsonArray();
            foreach (string source in _sources)
            {
                array.Add(source);
            }

            _json["sources"] = array;
            return (byte)(_sources.Count - 1);
        }

        /// <summary>The fingerprint of a source's mapping as the last run with this state used it, or null.</summary>
        public string? Shape(string? source) => (_json["shapes"] as JsonObject)?[source ?? string.Empty]?.GetValue<string>();

        public void SetShape(string? source, string fingerprint)
        {
            if (_json["shapes"] is not JsonObject shapes)
            {
                shapes = new JsonObject();
                _json["shapes"] = shapes;
            }

            shapes[source ?? string.Empty] = fingerprint;
        }
    }
}
