using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace EntraInboundProvisioning.GraphEmulator
{
    /// <summary>
    /// The $filter subset GET /auditLogs/provisioning supports: jobId, cycleId, changeId, sourceIdentity/id,
    /// provisioningAction, provisioningStatusInfo/status (eq) and activityDateTime (ge, le), joined with 'and'.
    /// </summary>
    internal static class LogFilter
    {
        private static readonly Regex Clause = new Regex(@"^\s*(?<field>[A-Za-z/]+)\s+(?<op>eq|ge|le|gt|lt)\s+(?<value>'(?:[^']|'')*'|[^\s]+)\s*$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        private static readonly Dictionary<string, Func<JsonObject, string?>> Fields = new Dictionary<string, Func<JsonObject, string?>>(StringComparer.OrdinalIgnoreCase)
        {
            ["jobId"] = e => e["jobId"]?.ToString(),
            ["cycleId"] = e => e["cycleId"]?.ToString(),
            ["changeId"] = e => e["changeId"]?.ToString(),
            ["sourceIdentity/id"] = e => e["sourceIdentity"]?["id"]?.ToString(),
            ["provisioningAction"] = e => e["provisioningAction"]?.ToString(),
            ["provisioningStatusInfo/status"] = e => e["provisioningStatusInfo"]?["status"]?.ToString(),
        };

        public static Func<JsonObject, bool> Parse(string filter)
        {
            var predicates = new List<Func<JsonObject, bool>>();
            if (filter.Trim().Length > 0)
            {
                foreach (string part in Regex.Split(filter, @"\s+and\s+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant))
                {
                    predicates.Add(ParseClause(part));
                }
            }

            return entry => predicates.All(p => p(entry));
        }

        private static Func<JsonObject, bool> ParseClause(string text)
        {
            Match match = Clause.Match(text);
            if (!match.Success)
            {
                throw new FormatException($"Invalid filter clause: '{text}'.");
            }

            string field = match.Groups["field"].Value;
            string op = match.Groups["op"].Value.ToLowerInvariant();
            string raw = match.Groups["value"].Value;
            string value = raw.StartsWith('\'') ? raw.Substring(1, raw.Length - 2).Replace("''", "'", StringComparison.Ordinal) : raw;
            if (string.Equals(field, "activityDateTime", StringComparison.OrdinalIgnoreCase))
            {
                if (!DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at))
                {
                    throw new FormatException($"'{value}' is not a date-time.");
                }

                return op switch
                {
                    "ge" => e => Time(e) >= at,
                    "gt" => e => Time(e) > at,
                    "le" => e => Time(e) <= at,
                    "lt" => e => Time(e) < at,
                    _ => e => Time(e) == at,
                };
            }

            if (!Fields.TryGetValue(field, out Func<JsonObject, string?>? read) || op != "eq")
            {
                throw new FormatException($"Filtering on '{field} {op}' is not supported.");
            }

            return e => string.Equals(read(e), value, StringComparison.OrdinalIgnoreCase);
        }

        private static DateTimeOffset Time(JsonObject entry) => DateTimeOffset.Parse(entry["activityDateTime"]!.ToString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
    }
}
