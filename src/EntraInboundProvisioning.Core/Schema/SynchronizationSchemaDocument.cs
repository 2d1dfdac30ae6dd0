using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EntraInboundProvisioning.Schema
{
    /// <summary>
    /// A synchronization job schema (GET/PUT …/jobs/{id}/schema) being edited. Changes touch only what they add:
    /// everything else in the document, including properties this code does not know, goes back unchanged in the
    /// whole-document PUT.
    /// </summary>
    public sealed class SynchronizationSchemaDocument
    {
        // The directories on the directory side of inbound provisioning; the API source is the other one.
        private static readonly string[] DirectoryNames = { "Azure Active Directory", "Microsoft Entra ID", "Active Directory", "AAD", "AD" };

        private readonly JsonObject _root;

        private SynchronizationSchemaDocument(JsonObject root) => _root = root;

        /// <summary>Parses a schema document.</summary>
        /// <exception cref="SynchronizationSchemaException">The text is not a schema document.</exception>
        public static SynchronizationSchemaDocument Parse(string json)
        {
            JsonNode? node;
            try
            {
                node = JsonNode.Parse(json);
            }
            catch (JsonException ex)
            {
                throw new SynchronizationSchemaException($"The synchronization schema is not valid JSON: {ex.Message}", ex);
            }

            if (node is not JsonObject root || root["synchronizationRules"] is not JsonArray || root["directories"] is not JsonArray)
            {
                throw new SynchronizationSchemaException("The document is not a synchronization schema: it needs 'synchronizationRules' and 'directories'.");
            }

            return new SynchronizationSchemaDocument(root);
        }

        /// <summary>The document as JSON, for the PUT and for backups.</summary>
        public string ToJson(bool indented = false)
        {
            // Graph rejects the read-only OData annotations it returned on GET inside a PUT body.
            var copy = (JsonObject)JsonNode.Parse(_root.ToJsonString())!;
            foreach (string key in copy.Select(p => p.Key).Where(k => k.StartsWith("@odata.", StringComparison.Ordinal)).ToList())
            {
                copy.Remove(key);
            }

            return copy.ToJsonString(new JsonSerializerOptions { WriteIndented = indented });
        }

        /// <summary>
        /// The API source directory: the source of the rule that provisions into Entra ID or Active Directory.
        /// Found by what it is, never by position in the array.
        /// </summary>
        public string ApiSourceDirectoryName()
        {
            var sources = Rules()
                .Where(r => IsDirectorySide(Text(r, "targetDirectoryName")) && !IsDirectorySide(Text(r, "sourceDirectoryName")))
                .Select(r => Text(r, "sourceDirectoryName"))
                .Where(s => !string.IsNullOrEmpty(s))
                .Distinct(StringComparer.OrdinalIgnoreCase)
                .ToList();
            return sources.Count switch
            {
                1 => sources[0]!,
                0 => throw new SynchronizationSchemaException("The schema has no rule from an API source directory into Entra ID or Active Directory; is this an API-driven inbound provisioning job?"),
                _ => throw new SynchronizationSchemaException($"The schema has several API source directories ({string.Join(", ", sources)}); cannot tell which to change."),
            };
        }

        /// <summary>Attribute names of the User object of a directory.</summary>
        public IReadOnlyList<string> AttributeNames(string directoryName)
            => Attributes(UserObject(directoryName)).Select(a => Text(a, "name") ?? string.Empty).ToArray();

        /// <summary>Adds attributes that are missing (compared ignoring case) to the API source directory's User object.</summary>
        public IReadOnlyList<SchemaChange> AddAttributes(IEnumerable<SchemaAttributeSpec> specs)
        {
            string directory = ApiSourceDirectoryName();
            JsonArray attributes = AttributeArray(UserObject(directory));
            var existing = new HashSet<string>(attributes.OfType<JsonObject>().Select(a => Text(a, "name") ?? string.Empty), StringComparer.OrdinalIgnoreCase);
            var changes = new List<SchemaChange>();
            foreach (SchemaAttributeSpec spec in specs)
            {
                if (!existing.Add(spec.Name))
                {
                    changes.Add(new SchemaChange(SchemaChangeKind.AttributeExists, directory, spec.Name, spec.Type.ToString()));
                    continue;
                }

                attributes.Add(new JsonObject
                {
                    ["anchor"] = false,
                    ["caseExact"] = false,
                    ["defaultValue"] = null,
                    ["flowNullValues"] = spec.FlowNullValues,
                    ["multivalued"] = spec.Multivalued,
                    ["mutability"] = "ReadWrite",
                    ["name"] = spec.Name,
                    ["required"] = false,
                    ["type"] = spec.Type.ToString(),
                    ["apiExpressions"] = new JsonArray(),
                    ["metadata"] = new JsonArray(),
                    ["referencedObjects"] = new JsonArray(),
                });
                changes.Add(new SchemaChange(SchemaChangeKind.AttributeAdded, directory, spec.Name, spec.Type.ToString()));
            }

            return changes;
        }

        /// <summary>
        /// Adds Direct mappings (source.type Attribute) source attribute → target attribute to the User→User object
        /// mapping of the rule that starts at the API source. A mapping to the same target is left alone and
        /// reported, or replaced when <paramref name="force"/> is set.
        /// </summary>
        public IReadOnlyList<SchemaChange> AddMappings(IEnumerable<KeyValuePair<string, string>> sourceToTarget, AttributeFlowType flowType = AttributeFlowType.Always, bool force = false)
        {
            string directory = ApiSourceDirectoryName();
            var known = new HashSet<string>(AttributeNames(directory), StringComparer.OrdinalIgnoreCase);
            JsonArray mappings = UserMappings(directory);
            var changes = new List<SchemaChange>();
            foreach (KeyValuePair<string, string> pair in sourceToTarget)
            {
                if (!known.Contains(pair.Key))
                {
                    throw new SynchronizationSchemaException($"Cannot map '{pair.Key}': the API source directory '{directory}' has no such attribute. Add it first.");
                }

                JsonObject? existing = mappings.OfType<JsonObject>().FirstOrDefault(m => string.Equals(Text(m, "targetAttributeName"), pair.Value, StringComparison.OrdinalIgnoreCase));
                string? previous = existing?["source"] is JsonObject s ? (Text(s, "expression") ?? Text(s, "name")) : null;
                if (existing is not null && !force)
                {
                    changes.Add(new SchemaChange(SchemaChangeKind.MappingExists, directory, pair.Key, target: pair.Value, previousSource: previous));
                    continue;
                }

                var mapping = new JsonObject
                {
                    ["defaultValue"] = string.Empty,
                    ["exportMissingReferences"] = false,
                    ["flowBehavior"] = "FlowWhenChanged",
                    ["flowType"] = flowType.ToString(),
                    ["matchingPriority"] = 0,
                    ["targetAttributeName"] = pair.Value,
                    ["source"] = new JsonObject
                    {
                        ["expression"] = $"[{pair.Key}]",
                        ["name"] = pair.Key,
                        ["parameters"] = new JsonArray(),
                        ["type"] = "Attribute",
                    },
                };
                if (existing is not null)
                {
                    mappings[mappings.IndexOf(existing)] = mapping;
                    changes.Add(new SchemaChange(SchemaChangeKind.MappingReplaced, directory, pair.Key, target: pair.Value, previousSource: previous));
                }
                else
                {
                    mappings.Add(mapping);
                    changes.Add(new SchemaChange(SchemaChangeKind.MappingAdded, directory, pair.Key, target: pair.Value));
                }
            }

            return changes;
        }

        /// <summary>
        /// The API source attributes whose values land in a date-time: typed DateTime in the source, or mapped
        /// directly (source.type Attribute) to a target attribute typed DateTime, such as employeeHireDate or
        /// employeeLeaveDateTime. Attributes reached through a function (FormatDateTime and the like) are not
        /// listed: the function reads the value in the form the admin chose.
        /// </summary>
        public IReadOnlyList<string> DateTimeAttributes()
        {
            string source = ApiSourceDirectoryName();
            var result = new List<string>();
            foreach (JsonObject attribute in Attributes(UserObject(source)))
            {
                if (string.Equals(Text(attribute, "type"), nameof(SchemaAttributeType.DateTime), StringComparison.OrdinalIgnoreCase) && Text(attribute, "name") is string name)
                {
                    result.Add(name);
                }
            }

            foreach (JsonObject rule in Rules().Where(r => string.Equals(Text(r, "sourceDirectoryName"), source, StringComparison.OrdinalIgnoreCase)))
            {
                string? target = Text(rule, "targetDirectoryName");
                JsonObject? targetDirectory = Directories(this).FirstOrDefault(d => string.Equals(Text(d, "name"), target, StringComparison.OrdinalIgnoreCase));
                if (targetDirectory is null)
                {
                    continue;
                }

                Dictionary<string, string> targetTypes = (targetDirectory["objects"] as JsonArray ?? new JsonArray()).OfType<JsonObject>()
                    .SelectMany(Attributes)
                    .GroupBy(a => Text(a, "name") ?? string.Empty, StringComparer.OrdinalIgnoreCase)
                    .ToDictionary(g => g.Key, g => Text(g.First(), "type") ?? string.Empty, StringComparer.OrdinalIgnoreCase);
                foreach (JsonObject mapping in (rule["objectMappings"] as JsonArray ?? new JsonArray()).OfType<JsonObject>().SelectMany(m => (m["attributeMappings"] as JsonArray ?? new JsonArray()).OfType<JsonObject>()))
                {
                    if (mapping["source"] is JsonObject from
                        && string.Equals(Text(from, "type"), "Attribute", StringComparison.OrdinalIgnoreCase)
                        && Text(from, "name") is string name
                        && Text(mapping, "targetAttributeName") is string targetName
                        && targetTypes.TryGetValue(targetName, out string? type)
                        && string.Equals(type, nameof(SchemaAttributeType.DateTime), StringComparison.OrdinalIgnoreCase)
                        && !result.Contains(name, StringComparer.OrdinalIgnoreCase))
                    {
                        result.Add(name);
                    }
                }
            }

            return result;
        }

        /// <summary>What replacing <paramref name="current"/> with this document would change, as readable lines.</summary>
        public IReadOnlyList<string> Diff(SynchronizationSchemaDocument current)
        {
            var lines = new List<string>();
            foreach (JsonObject directory in Directories(this))
            {
                string name = Text(directory, "name") ?? string.Empty;
                var mine = DirectoryAttributes(directory);
                JsonObject? theirs = Directories(current).FirstOrDefault(d => string.Equals(Text(d, "name"), name, StringComparison.OrdinalIgnoreCase));
                var before = theirs is null ? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase) : DirectoryAttributes(theirs);
                lines.AddRange(mine.Keys.Except(before.Keys, StringComparer.OrdinalIgnoreCase).Select(a => $"+ attribute {name}: {a} ({mine[a]})"));
                lines.AddRange(before.Keys.Except(mine.Keys, StringComparer.OrdinalIgnoreCase).Select(a => $"- attribute {name}: {a}"));
                lines.AddRange(mine.Keys.Intersect(before.Keys, StringComparer.OrdinalIgnoreCase).Where(a => !string.Equals(mine[a], before[a], StringComparison.Ordinal)).Select(a => $"~ attribute {name}: {a} ({before[a]} -> {mine[a]})"));
            }

            var myMappings = AllMappings(this);
            var theirMappings = AllMappings(current);
            lines.AddRange(myMappings.Keys.Except(theirMappings.Keys, StringComparer.OrdinalIgnoreCase).Select(k => $"+ mapping {k} <- {myMappings[k]}"));
            lines.AddRange(theirMappings.Keys.Except(myMappings.Keys, StringComparer.OrdinalIgnoreCase).Select(k => $"- mapping {k} <- {theirMappings[k]}"));
            lines.AddRange(myMappings.Keys.Intersect(theirMappings.Keys, StringComparer.OrdinalIgnoreCase).Where(k => !string.Equals(myMappings[k], theirMappings[k], StringComparison.Ordinal)).Select(k => $"~ mapping {k} <- {theirMappings[k]} -> {myMappings[k]}"));
            return lines;
        }

        private static Dictionary<string, string> DirectoryAttributes(JsonObject directory)
        {
            var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (JsonObject obj in (directory["objects"] as JsonArray ?? new JsonArray()).OfType<JsonObject>())
            {
                foreach (JsonObject attribute in Attributes(obj))
                {
                    result[$"{Text(obj, "name")}.{Text(attribute, "name")}"] = $"{Text(attribute, "type")}{(attribute["multivalued"]?.GetValue<bool>() == true ? "[]" : string.Empty)}";
                }
            }

            return result;
        }

        private static Dictionary<string, string> AllMappings(SynchronizationSchemaDocument document)
        {
            var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (JsonObject rule in document.Rules())
            {
                foreach (JsonObject objectMapping in (rule["objectMappings"] as JsonArray ?? new JsonArray()).OfType<JsonObject>())
                {
                    foreach (JsonObject mapping in (objectMapping["attributeMappings"] as JsonArray ?? new JsonArray()).OfType<JsonObject>())
                    {
                        string source = mapping["source"] is JsonObject s ? (Text(s, "expression") ?? Text(s, "name") ?? string.Empty) : string.Empty;
                        result[$"{Text(rule, "sourceDirectoryName")}->{Text(rule, "targetDirectoryName")} {Text(objectMapping, "targetObjectName")}.{Text(mapping, "targetAttributeName")}"] = $"{source} ({Text(mapping, "flowType")})";
                    }
                }
            }

            return result;
        }

        private IEnumerable<JsonObject> Rules() => ((JsonArray)_root["synchronizationRules"]!).OfType<JsonObject>();

        private static IEnumerable<JsonObject> Directories(SynchronizationSchemaDocument document) => ((JsonArray)document._root["directories"]!).OfType<JsonObject>();

        private JsonObject UserObject(string directoryName)
        {
            JsonObject directory = Directories(this).FirstOrDefault(d => string.Equals(Text(d, "name"), directoryName, StringComparison.OrdinalIgnoreCase))
                ?? throw new SynchronizationSchemaException($"The schema has no directory named '{directoryName}'.");
            return (directory["objects"] as JsonArray ?? new JsonArray()).OfType<JsonObject>().FirstOrDefault(o => string.Equals(Text(o, "name"), "User", StringComparison.OrdinalIgnoreCase))
                ?? throw new SynchronizationSchemaException($"The directory '{directoryName}' has no User object.");
        }

        private JsonArray UserMappings(string sourceDirectory)
        {
            foreach (JsonObject rule in Rules().Where(r => string.Equals(Text(r, "sourceDirectoryName"), sourceDirectory, StringComparison.OrdinalIgnoreCase)))
            {
                foreach (JsonObject objectMapping in (rule["objectMappings"] as JsonArray ?? new JsonArray()).OfType<JsonObject>())
                {
                    if (string.Equals(Text(objectMapping, "sourceObjectName"), "User", StringComparison.OrdinalIgnoreCase)
                        && string.Equals(Text(objectMapping, "targetObjectName"), "User", StringComparison.OrdinalIgnoreCase))
                    {
                        if (objectMapping["attributeMappings"] is not JsonArray mappings)
                        {
                            mappings = new JsonArray();
                            objectMapping["attributeMappings"] = mappings;
                        }

                        return mappings;
                    }
                }
            }

            throw new SynchronizationSchemaException($"The rule from '{sourceDirectory}' has no User to User object mapping.");
        }

        private static IEnumerable<JsonObject> Attributes(JsonObject obj) => AttributeArray(obj).OfType<JsonObject>();

        private static JsonArray AttributeArray(JsonObject obj)
        {
            if (obj["attributes"] is not JsonArray attributes)
            {
                attributes = new JsonArray();
                obj["attributes"] = attributes;
            }

            return attributes;
        }

        private static bool IsDirectorySide(string? name) => name is not null && DirectoryNames.Contains(name, StringComparer.OrdinalIgnoreCase);

        private static string? Text(JsonObject obj, string name) => obj[name] is JsonValue value && value.TryGetValue(out string? text) ? text : null;
    }
}
