using System;
using System.Collections.Generic;
using System.Linq;
using EntraInboundProvisioning.Scim;

namespace EntraInboundProvisioning.Mapping
{
    /// <summary>
    /// Checks a mapping against the SCIM core and enterprise User schemas (RFC 7643), the extension URN rules
    /// and, when given, the columns the input has. ConvertTo-ScimBulkRequest and Test-ScimAttributeMapping share it.
    /// </summary>
    public static class MappingValidator
    {
        /// <summary>Why a mapping must produce active (the finding's message, and the converter's refusal).</summary>
        public const string ActiveNotMappedMessage =
            "active is not mapped. The provisioning service treats a record without active as a disable, so every account these records touch would be switched off "
            + "(public report AzureAD/entra-id-inbound-provisioning issue 16). Map it, for example active = { $_.WorkerStatus -eq 'Active' }, "
            + "or use -AllowMissingActive if the provisioning app's own attribute mappings do not use active.";

        /// <summary>Validates a mapping; <paramref name="availableColumns"/> (when not null) are checked for every column the mapping reads.</summary>
        /// <param name="mapping">The mapping.</param>
        /// <param name="availableColumns">The input's columns, when known.</param>
        /// <param name="allowMissingActive">The admin's explicit opt-out from the active rule (-AllowMissingActive).</param>
        public static IReadOnlyList<MappingFinding> Validate(AttributeMapping mapping, IReadOnlyCollection<string>? availableColumns = null, bool allowMissingActive = false)
        {
            var findings = new List<MappingFinding>();
            void Add(FindingSeverity severity, string code, string attribute, string message, string? column = null)
                => findings.Add(new MappingFinding(severity, code, attribute, message, mapping.Source, column));

            if (mapping.Entries.Count == 0)
            {
                Add(FindingSeverity.Error, "EmptyMapping", string.Empty, "The mapping maps no attribute; map at least externalId.");
                return findings;
            }

            var seenRoots = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (MappingNode entry in mapping.Entries)
            {
                if (!seenRoots.Add(entry.Name))
                {
                    Add(FindingSeverity.Error, "DuplicateAttribute", entry.Name, $"'{entry.Name}' is mapped more than once (names are case-insensitive).");
                    continue;
                }

                if (ScimSchemas.LooksLikeUrn(entry.Name))
                {
                    ValidateSchemaBlock(entry, Add);
                    continue;
                }

                ScimAttribute? attribute = ScimSchemas.CoreUser.Find(entry.Name);
                if (attribute is null)
                {
                    Add(
                        FindingSeverity.Error,
                        "UnknownAttribute",
                        entry.Name,
                        $"'{entry.Name}' is not an attribute of the SCIM core User schema. Put custom attributes under an extension URN key such as 'urn:ietf:params:scim:schemas:extension:<name>:1.0:User'.{Suggest(entry.Name, ScimSchemas.CoreUser.Attributes)}");
                    continue;
                }

                ValidateAttribute(entry, attribute, entry.Name, Add);
            }

            MappingNode? externalId = mapping.Find("externalId");
            if (externalId is null)
            {
                Add(FindingSeverity.Error, "ExternalIdNotMapped", "externalId", "externalId is not mapped. Every record needs the unique, stable worker identifier that Entra ID matches users on.");
            }

            if (mapping.Find("active") is null && !allowMissingActive)
            {
                Add(FindingSeverity.Error, "ActiveNotMapped", "active", ActiveNotMappedMessage);
            }

            if (mapping.Find("userName") is null)
            {
                Add(FindingSeverity.Warning, "UserNameNotMapped", "userName", "userName is not mapped; records are sent without it, so the provisioning app's own mapping must produce the user principal name.");
            }

            if (availableColumns is not null)
            {
                var available = new HashSet<string>(availableColumns, StringComparer.OrdinalIgnoreCase);
                foreach ((string path, string column) in ColumnLeaves(mapping))
                {
                    if (!available.Contains(column))
                    {
                        Add(FindingSeverity.Error, "MappedColumnNotFound", path, $"The input has no column '{column}'. Available columns: {string.Join(", ", availableColumns)}.", column);
                    }
                }
            }

            return findings;
        }

        /// <summary>Every (attribute path, column) pair of the mapping, including columns read by compiled scriptblocks.</summary>
        public static IEnumerable<(string Path, string Column)> ColumnLeaves(AttributeMapping mapping)
        {
            foreach (MappingNode entry in mapping.Entries)
            {
                foreach ((string, string) leaf in ColumnLeaves(entry, entry.Name))
                {
                    yield return leaf;
                }
            }
        }

        private static IEnumerable<(string Path, string Column)> ColumnLeaves(MappingNode node, string path)
        {
            if (node.Kind == MappingNodeKind.Column || node.Kind == MappingNodeKind.Computed)
            {
                foreach (string column in node.Columns())
                {
                    yield return (path, column);
                }

                yield break;
            }

            for (int i = 0; i < node.Children.Count; i++)
            {
                MappingNode child = node.Children[i];
                string childPath = node.Kind == MappingNodeKind.MultiValued ? $"{path}[{i}]" : $"{path}.{child.Name}";
                foreach ((string, string) leaf in ColumnLeaves(child, childPath))
                {
                    yield return leaf;
                }
            }
        }

        private static void ValidateSchemaBlock(MappingNode block, Action<FindingSeverity, string, string, string, string?> add)
        {
            string urn = block.Name;
            if (block.Kind != MappingNodeKind.Complex)
            {
                add(FindingSeverity.Error, "ExtensionNotHashtable", urn, $"The schema extension '{urn}' must be a hashtable of its attributes.", null);
                return;
            }

            if (string.Equals(urn, ScimSchemas.CoreUserUrn, StringComparison.OrdinalIgnoreCase))
            {
                add(FindingSeverity.Error, "CoreSchemaAsExtension", urn, "Core User attributes are mapped at the top level of the mapping, not under the core schema URN.", null);
                return;
            }

            ScimSchema? known = ScimSchemas.Find(urn);
            if (known is null)
            {
                if (!ScimSchemas.IsWellFormedExtensionUrn(urn))
                {
                    add(FindingSeverity.Error, "MalformedExtensionUrn", urn, $"'{urn}' is not a well-formed extension URN: it must start with '{ScimSchemas.ExtensionPrefix}' followed by ':'-separated segments of letters, digits, '.', '-' or '_' (for example '{ScimSchemas.ExtensionPrefix}contoso:1.0:User').", null);
                    return;
                }

                if (!urn.EndsWith(":User", StringComparison.Ordinal))
                {
                    add(FindingSeverity.Warning, "ExtensionUrnNotUser", urn, $"'{urn}' does not end with ':User'; API-driven provisioning expects user extensions named like '{ScimSchemas.ExtensionPrefix}<name>:<version>:User'.", null);
                }
            }

            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (MappingNode child in block.Children)
            {
                string path = $"{urn}:{child.Name}";
                if (!seen.Add(child.Name))
                {
                    add(FindingSeverity.Error, "DuplicateAttribute", path, $"'{child.Name}' is mapped more than once in '{urn}'.", null);
                    continue;
                }

                if (known is null)
                {
                    if (!ScimSchemas.IsValidAttributeName(child.Name))
                    {
                        add(FindingSeverity.Error, "InvalidAttributeName", path, $"'{child.Name}' is not a valid SCIM attribute name: it must start with a letter and contain only letters, digits, '-' and '_'.", null);
                    }

                    continue;
                }

                ScimAttribute? attribute = known.Find(child.Name);
                if (attribute is null)
                {
                    add(FindingSeverity.Error, "UnknownAttribute", path, $"'{child.Name}' is not an attribute of '{urn}'.{Suggest(child.Name, known.Attributes)}", null);
                    continue;
                }

                ValidateAttribute(child, attribute, path, add);
            }
        }

        private static void ValidateAttribute(MappingNode node, ScimAttribute attribute, string path, Action<FindingSeverity, string, string, string, string?> add)
        {
            if (attribute.Mutability == ScimMutability.ReadOnly)
            {
                add(FindingSeverity.Error, "ReadOnlyAttribute", path, $"'{attribute.Name}' is read-only: the service sets it, so it cannot be sent.", null);
                return;
            }

            if (attribute.Name == "password")
            {
                add(FindingSeverity.Error, "UnsupportedAttribute", path, "'password' is not supported by API-driven inbound provisioning; passwords are never sent from a system of record.", null);
                return;
            }

            if (attribute.Type == ScimAttributeType.Complex)
            {
                if (attribute.MultiValued)
                {
                    switch (node.Kind)
                    {
                        case MappingNodeKind.MultiValued:
                            for (int i = 0; i < node.Children.Count; i++)
                            {
                                MappingNode item = node.Children[i];
                                string itemPath = $"{path}[{i}]";
                                if (item.Kind == MappingNodeKind.Complex)
                                {
                                    ValidateSubAttributes(item, attribute, itemPath, add);
                                }
                                else if (item.Kind != MappingNodeKind.Computed)
                                {
                                    add(FindingSeverity.Error, "ComplexExpected", itemPath, $"Each item of '{attribute.Name}' must be a hashtable of its sub-attributes ({SubNames(attribute)}).", null);
                                }
                            }

                            break;
                        case MappingNodeKind.Complex:
                            add(FindingSeverity.Error, "MultiValuedNotArray", path, $"'{attribute.Name}' is multi-valued: write it as an array of hashtables, @( @{{ ... }} ).", null);
                            break;
                        case MappingNodeKind.Computed:
                            break;
                        default:
                            add(FindingSeverity.Error, "ComplexExpected", path, $"'{attribute.Name}' is a multi-valued complex attribute: map it as @( @{{ {SubNames(attribute)} }} ), not to a single column or value.", null);
                            break;
                    }

                    return;
                }

                switch (node.Kind)
                {
                    case MappingNodeKind.Complex:
                        ValidateSubAttributes(node, attribute, path, add);
                        break;
                    case MappingNodeKind.MultiValued:
                        add(FindingSeverity.Error, "NotMultiValued", path, $"'{attribute.Name}' holds one value: write it as a hashtable, not an array.", null);
                        break;
                    case MappingNodeKind.Computed:
                        break;
                    default:
                        add(FindingSeverity.Error, "ComplexExpected", path, $"'{attribute.Name}' is a complex attribute: map it as a hashtable of its sub-attributes ({SubNames(attribute)}).", null);
                        break;
                }

                return;
            }

            if (node.Kind == MappingNodeKind.Complex || node.Kind == MappingNodeKind.MultiValued)
            {
                add(FindingSeverity.Error, "SimpleExpected", path, $"'{attribute.Name}' is a simple {attribute.Type.ToString().ToLowerInvariant()} attribute: map it to a column name, a scriptblock or a value, not a {(node.Kind == MappingNodeKind.Complex ? "hashtable" : "array")}.", null);
                return;
            }

            if (attribute.CanonicalValues.Count > 0)
            {
                string? literal = node.Kind == MappingNodeKind.Constant ? node.Constant as string : LiteralText(node);
                if (literal is not null && !attribute.CanonicalValues.Contains(literal, StringComparer.OrdinalIgnoreCase))
                {
                    add(FindingSeverity.Warning, "NonCanonicalValue", path, $"'{literal}' is not one of the usual values of '{attribute.Name}' ({string.Join(", ", attribute.CanonicalValues)}).", null);
                }
            }
        }

        private static void ValidateSubAttributes(MappingNode node, ScimAttribute attribute, string path, Action<FindingSeverity, string, string, string, string?> add)
        {
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (MappingNode child in node.Children)
            {
                string childPath = $"{path}.{child.Name}";
                if (!seen.Add(child.Name))
                {
                    add(FindingSeverity.Error, "DuplicateAttribute", childPath, $"'{child.Name}' is mapped more than once in '{attribute.Name}'.", null);
                    continue;
                }

                ScimAttribute? sub = attribute.FindSubAttribute(child.Name);
                if (sub is null)
                {
                    add(FindingSeverity.Error, "UnknownSubAttribute", childPath, $"'{child.Name}' is not a sub-attribute of '{attribute.Name}' ({SubNames(attribute)}).{Suggest(child.Name, attribute.SubAttributes)}", null);
                    continue;
                }

                if (sub.Mutability == ScimMutability.ReadOnly)
                {
                    add(FindingSeverity.Warning, "ReadOnlyAttribute", childPath, $"'{attribute.Name}.{sub.Name}' is read-only; the service ignores it.", null);
                    continue;
                }

                ValidateAttribute(child, sub, childPath, add);
            }
        }

        private static string? LiteralText(MappingNode node)
            => node.Kind == MappingNodeKind.Computed && node.Computed!.Expression is not null && !node.Computed.Expression.Columns().Any()
                ? node.Computed.Expression.Evaluate(Sources.EmptyRecord.Instance) as string
                : null;

        private static string SubNames(ScimAttribute attribute) => string.Join(", ", attribute.SubAttributes.Where(s => s.Mutability != ScimMutability.ReadOnly).Select(s => s.Name));

        private static string Suggest(string name, IEnumerable<ScimAttribute> candidates)
        {
            ScimAttribute? best = null;
            int bestDistance = int.MaxValue;
            foreach (ScimAttribute candidate in candidates)
            {
                int distance = EditDistance(name.ToLowerInvariant(), candidate.Name.ToLowerInvariant());
                if (distance < bestDistance)
                {
                    bestDistance = distance;
                    best = candidate;
                }
            }

            return best is not null && bestDistance <= Math.Max(2, name.Length / 3) ? $" Did you mean '{best.Name}'?" : string.Empty;
        }

        private static int EditDistance(string a, string b)
        {
            int[] previous = new int[b.Length + 1];
            int[] current = new int[b.Length + 1];
            for (int j = 0; j <= b.Length; j++)
            {
                previous[j] = j;
            }

            for (int i = 1; i <= a.Length; i++)
            {
                current[0] = i;
                for (int j = 1; j <= b.Length; j++)
                {
                    int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                    current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
                }

                (previous, current) = (current, previous);
            }

            return previous[b.Length];
        }
    }
}
