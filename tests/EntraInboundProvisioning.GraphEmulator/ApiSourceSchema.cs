using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace EntraInboundProvisioning.GraphEmulator
{
    /// <summary>
    /// What a job's schema says about the attributes the API sends: which ones the source directory knows, and which
    /// ones end up in a DateTime (typed DateTime in the source, or mapped by a Direct mapping to a target attribute
    /// typed DateTime, such as Entra's employeeHireDate and employeeLeaveDateTime).
    /// </summary>
    internal sealed class ApiSourceSchema
    {
        private const string EntraDirectory = "Azure Active Directory";

        // Graph: DateTimeOffset values are ISO 8601 with a time and an offset, e.g. 2014-01-01T00:00:00Z.
        private static readonly Regex IsoDateTime = new Regex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant);

        private readonly HashSet<string> _attributes = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>Source attribute → the DateTime attribute it lands on (itself when the source is typed DateTime).</summary>
        private readonly Dictionary<string, string> _dateTimeTargets = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        private ApiSourceSchema()
        {
        }

        public static ApiSourceSchema Read(JsonObject schema)
        {
            var result = new ApiSourceSchema();
            var typesByDirectory = new Dictionary<string, Dictionary<string, string>>(StringComparer.OrdinalIgnoreCase);
            foreach (JsonObject directory in Items(schema, "directories"))
            {
                var types = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                foreach (JsonObject attribute in Items(directory, "objects").SelectMany(o => Items(o, "attributes")))
                {
                    types[attribute["name"]?.ToString() ?? string.Empty] = attribute["type"]?.ToString() ?? "String";
                }

                string name = directory["name"]?.ToString() ?? string.Empty;
                typesByDirectory[name] = types;
                if (string.Equals(name, EntraDirectory, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                foreach (KeyValuePair<string, string> attribute in types)
                {
                    result._attributes.Add(attribute.Key);
                    if (IsDateTime(attribute.Value))
                    {
                        result._dateTimeTargets[attribute.Key] = attribute.Key;
                    }
                }
            }

            foreach (JsonObject rule in Items(schema, "synchronizationRules"))
            {
                string target = rule["targetDirectoryName"]?.ToString() ?? EntraDirectory;
                if (!typesByDirectory.TryGetValue(target, out Dictionary<string, string>? targetTypes))
                {
                    continue;
                }

                foreach (JsonObject mapping in Items(rule, "objectMappings").SelectMany(m => Items(m, "attributeMappings")))
                {
                    string targetName = mapping["targetAttributeName"]?.ToString() ?? string.Empty;
                    if (mapping["source"] is JsonObject source && string.Equals(source["type"]?.ToString(), "Attribute", StringComparison.OrdinalIgnoreCase)
                        && source["name"]?.ToString() is string sourceName && targetTypes.TryGetValue(targetName, out string? type) && IsDateTime(type))
                    {
                        result._dateTimeTargets[sourceName] = targetName;
                    }
                }
            }

            return result;
        }

        /// <summary>Whether the API source directory has the attribute.</summary>
        public bool Contains(string attribute) => _attributes.Contains(attribute);

        /// <summary>
        /// The values bound for a DateTime that are not ISO 8601 with time and offset ("2024-03-01", "03/01/2024"),
        /// each as "'value' of 'attribute' (→ target)".
        /// </summary>
        public IReadOnlyList<string> InvalidDateTimes(IReadOnlyDictionary<string, string> values)
        {
            var invalid = new List<string>();
            foreach (KeyValuePair<string, string> pair in values)
            {
                if (_dateTimeTargets.TryGetValue(pair.Key, out string? target) && !IsIsoDateTime(pair.Value))
                {
                    invalid.Add(string.Equals(target, pair.Key, StringComparison.OrdinalIgnoreCase) ? $"'{pair.Value}' of '{pair.Key}'" : $"'{pair.Value}' of '{pair.Key}' (mapped to {target})");
                }
            }

            return invalid;
        }

        private static bool IsIsoDateTime(string value)
            => IsoDateTime.IsMatch(value) && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

        private static bool IsDateTime(string type) => string.Equals(type, "DateTime", StringComparison.OrdinalIgnoreCase);

        private static IEnumerable<JsonObject> Items(JsonObject parent, string name) => (parent[name] as JsonArray ?? new JsonArray()).OfType<JsonObject>();
    }
}
