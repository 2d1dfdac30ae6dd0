using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace EntraInboundProvisioning.GraphEmulator
{
    /// <summary>
    /// Turns accepted operations into directory changes and provisioningObjectSummary log entries, one cycle at a
    /// time: create, update (only when something changed), disable (active false), skip (nothing changed),
    /// failure (userName not a valid UPN) and warning (custom attributes missing from the job schema are skipped).
    /// </summary>
    internal static class ProvisioningEngine
    {
        private const string CoreSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
        private const string EnterpriseSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        private static readonly Regex Upn = new Regex(@"^[^@\s]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$", RegexOptions.CultureInvariant);

        /// <summary>Must be called under the state's lock.</summary>
        public static IReadOnlyList<JsonObject> RunCycle(EmulatorState state, EmulatedJob job)
        {
            if (job.Status != "Active" || job.Pending.Count == 0)
            {
                return Array.Empty<JsonObject>();
            }

            string cycleId = Guid.NewGuid().ToString();
            job.LastCycleBegan = DateTimeOffset.UtcNow;
            var produced = new List<JsonObject>();
            HashSet<string> known = SchemaAttributes(job.Schema);
            foreach (AcceptedOperation operation in job.Pending)
            {
                produced.Add(Process(state, job, cycleId, operation, known));
            }

            job.Pending.Clear();
            job.LastCycleEnded = DateTimeOffset.UtcNow;
            state.Logs.AddRange(produced);
            return produced;
        }

        private static JsonObject Process(EmulatorState state, EmulatedJob job, string cycleId, AcceptedOperation operation, HashSet<string> known)
        {
            Dictionary<string, string> incoming = Flatten(operation.Data);
            var skipped = incoming.Keys.Where(k => k.StartsWith("urn:", StringComparison.OrdinalIgnoreCase) && !k.StartsWith(EnterpriseSchema, StringComparison.OrdinalIgnoreCase) && !known.Contains(k)).ToList();
            foreach (string key in skipped)
            {
                incoming.Remove(key);
            }

            bool? active = incoming.TryGetValue("active", out string? a) ? string.Equals(a, "true", StringComparison.OrdinalIgnoreCase) : null;
            incoming.Remove("active");
            state.Directory.TryGetValue(operation.ExternalId, out ProvisionedUser? user);
            string action;
            string status = "success";
            JsonObject? error = null;
            var modified = new JsonArray();
            string? displayName = incoming.TryGetValue("displayName", out string? dn) ? dn : null;

            if (incoming.TryGetValue("userName", out string? upn) && !Upn.IsMatch(upn))
            {
                action = user is null ? "create" : "update";
                status = "failure";
                error = Error("AzureActiveDirectoryInvalidUserPrincipalName", "NonServiceFailure", $"The userPrincipalName '{upn}' is not a valid user principal name.", "Send a userName of the form alias@verified-domain.");
            }
            else if (user is null)
            {
                action = "create";
                user = new ProvisionedUser(operation.ExternalId) { Enabled = active ?? true };
                foreach (KeyValuePair<string, string> pair in incoming)
                {
                    user.Attributes[pair.Key] = pair.Value;
                    modified.Add(Modified(pair.Key, null, pair.Value));
                }

                state.Directory[operation.ExternalId] = user;
            }
            else
            {
                foreach (KeyValuePair<string, string> pair in incoming)
                {
                    user.Attributes.TryGetValue(pair.Key, out string? old);
                    if (!string.Equals(old, pair.Value, StringComparison.Ordinal))
                    {
                        modified.Add(Modified(pair.Key, old, pair.Value));
                        user.Attributes[pair.Key] = pair.Value;
                    }
                }

                if (active == false && user.Enabled)
                {
                    action = "disable";
                    user.Enabled = false;
                    modified.Add(Modified("accountEnabled", "True", "False"));
                }
                else
                {
                    if (active == true && !user.Enabled)
                    {
                        user.Enabled = true;
                        modified.Add(Modified("accountEnabled", "False", "True"));
                    }

                    action = modified.Count > 0 ? "update" : "other";
                    status = modified.Count > 0 ? "success" : "skipped";
                }
            }

            if (skipped.Count > 0 && status == "success")
            {
                status = "warning";
                error = Error("CustomAttributeNotInSchema", "NonServiceFailure", $"These attributes are not in the provisioning app's schema and were skipped: {string.Join(", ", skipped)}.", "Add them to the API source directory of the job schema.");
            }

            // Millisecond precision, as the entries show it, and strictly increasing so ordering is stable.
            DateTimeOffset now = DateTimeOffset.UtcNow;
            DateTimeOffset at = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMillisecond), TimeSpan.Zero);
            if (at <= state.LastLogTime)
            {
                at = state.LastLogTime.AddMilliseconds(1);
            }

            state.LastLogTime = at;
            ServicePrincipal sp = state.ServicePrincipals[job.ServicePrincipalId];
            return new JsonObject
            {
                ["id"] = Guid.NewGuid().ToString(),
                ["activityDateTime"] = at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
                ["tenantId"] = state.DefaultTenantId,
                ["jobId"] = job.Id,
                ["cycleId"] = cycleId,
                ["changeId"] = Guid.NewGuid().ToString(),
                ["durationInMilliseconds"] = 40 + state.Random.Next(200),
                ["provisioningAction"] = action,
                ["provisioningStatusInfo"] = new JsonObject { ["status"] = status, ["errorInformation"] = error },
                ["provisioningSteps"] = new JsonArray(
                    Step("EntryImport", "Import", "success", $"Received user '{operation.ExternalId}' from the API."),
                    Step("EntryExportUpdate", "Export", status == "failure" ? "failure" : "success", $"{action} in Azure Active Directory.")),
                ["modifiedProperties"] = modified,
                ["sourceIdentity"] = new JsonObject { ["id"] = operation.ExternalId, ["displayName"] = displayName, ["identityType"] = "User", ["details"] = new JsonObject() },
                ["targetIdentity"] = new JsonObject { ["id"] = user?.ObjectId ?? string.Empty, ["displayName"] = displayName, ["identityType"] = "User", ["details"] = new JsonObject() },
                ["servicePrincipal"] = new JsonObject { ["id"] = sp.Id, ["displayName"] = sp.DisplayName },
                ["sourceSystem"] = new JsonObject { ["id"] = "api", ["displayName"] = "API", ["details"] = new JsonObject() },
                ["targetSystem"] = new JsonObject { ["id"] = "aad", ["displayName"] = "Azure Active Directory", ["details"] = new JsonObject() },
                ["initiatedBy"] = new JsonObject { ["id"] = string.Empty, ["displayName"] = "Microsoft.Azure.SyncFabric", ["initiatorType"] = "system" },
            };
        }

        /// <summary>SCIM data as 'path' → value: name.givenName, urn:…:User:department, urn:…:User:manager, emails[work].value.</summary>
        internal static Dictionary<string, string> Flatten(JsonObject data)
        {
            var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (KeyValuePair<string, JsonNode?> pair in data)
            {
                if (pair.Key is "schemas" or "id")
                {
                    continue;
                }

                if (pair.Key.StartsWith("urn:", StringComparison.OrdinalIgnoreCase) && pair.Value is JsonObject extension)
                {
                    foreach (KeyValuePair<string, JsonNode?> inner in extension)
                    {
                        string key = pair.Key + ":" + inner.Key;
                        if (inner.Value is JsonObject manager && manager["value"] is JsonValue value)
                        {
                            result[key] = value.ToString();
                        }
                        else if (inner.Value is not null)
                        {
                            result[key] = inner.Value is JsonValue v ? v.ToString() : inner.Value.ToJsonString();
                        }
                    }

                    continue;
                }

                switch (pair.Value)
                {
                    case JsonObject obj:
                        foreach (KeyValuePair<string, JsonNode?> inner in obj)
                        {
                            if (inner.Value is not null)
                            {
                                result[$"{pair.Key}.{inner.Key}"] = inner.Value.ToString();
                            }
                        }

                        break;
                    case JsonArray array:
                        foreach (JsonObject item in array.OfType<JsonObject>())
                        {
                            string type = item["type"]?.ToString() ?? "other";
                            foreach (KeyValuePair<string, JsonNode?> inner in item.Where(i => i.Key != "type" && i.Value is not null))
                            {
                                result[$"{pair.Key}[{type}].{inner.Key}"] = inner.Value!.ToString();
                            }
                        }

                        break;
                    case JsonValue value:
                        result[pair.Key] = value.GetValueKind() == JsonValueKind.True ? "true" : value.GetValueKind() == JsonValueKind.False ? "false" : value.ToString();
                        break;
                }
            }

            return result;
        }

        private static HashSet<string> SchemaAttributes(JsonObject schema)
        {
            var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (JsonObject directory in (schema["directories"] as JsonArray ?? new JsonArray()).OfType<JsonObject>())
            {
                if (directory["name"]?.ToString() == "Azure Active Directory")
                {
                    continue;
                }

                foreach (JsonObject obj in (directory["objects"] as JsonArray ?? new JsonArray()).OfType<JsonObject>())
                {
                    foreach (JsonObject attribute in (obj["attributes"] as JsonArray ?? new JsonArray()).OfType<JsonObject>())
                    {
                        names.Add(attribute["name"]?.ToString() ?? string.Empty);
                    }
                }
            }

            return names;
        }

        private static JsonObject Error(string code, string category, string reason, string recommended)
            => new JsonObject { ["errorCode"] = code, ["errorCategory"] = category, ["reason"] = reason, ["additionalDetails"] = null, ["recommendedAction"] = recommended };

        private static JsonObject Modified(string name, string? old, string? value)
            => new JsonObject { ["displayName"] = name, ["oldValue"] = old, ["newValue"] = value };

        private static JsonObject Step(string name, string type, string status, string description)
            => new JsonObject { ["name"] = name, ["provisioningStepType"] = type, ["status"] = status, ["description"] = description, ["details"] = new JsonObject() };
    }
}
