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
    /// time, in the order they were accepted: create, update (only when something changed), disable (active false
    /// or omitted), enable (active true on a disabled user), skip (nothing changed), failure (userName not a valid
    /// UPN; a DateTime-bound value that is not ISO 8601 with time and offset), warning (custom attributes missing
    /// from the job schema are skipped), and a manager reference set only when the manager is already there.
    /// </summary>
    internal static class ProvisioningEngine
    {
        private const string CoreSchema = "urn:ietf:params:scim:schemas:core:2.0:User";
        private const string EnterpriseSchema = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

        /// <summary>manager.value, the manager's externalId (Graph: the reference the service resolves to the manager's user).</summary>
        private const string ManagerAttribute = EnterpriseSchema + ":manager";
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
            ApiSourceSchema schema = ApiSourceSchema.Read(job.Schema);
            foreach (AcceptedOperation operation in job.Pending)
            {
                produced.Add(Process(state, job, cycleId, operation, schema));
            }

            job.Pending.Clear();
            job.LastCycleEnded = DateTimeOffset.UtcNow;
            foreach (JsonObject entry in produced)
            {
                state.Log.Add(entry);
            }
            return produced;
        }

        private static JsonObject Process(EmulatorState state, EmulatedJob job, string cycleId, AcceptedOperation operation, ApiSourceSchema schema)
        {
            Dictionary<string, string> incoming = Flatten(operation.Data);
            var skipped = incoming.Keys.Where(k => k.StartsWith("urn:", StringComparison.OrdinalIgnoreCase) && !k.StartsWith(EnterpriseSchema, StringComparison.OrdinalIgnoreCase) && !schema.Contains(k)).ToList();
            foreach (string key in skipped)
            {
                incoming.Remove(key);
            }

            // The service treats the POST like a replace for active: omitted (or null) disables the account
            // (AzureAD/entra-id-inbound-provisioning issue 16). Every other attribute left out stays as it is.
            bool enable = incoming.Remove("active", out string? active) && string.Equals(active, "true", StringComparison.OrdinalIgnoreCase);
            string? manager = incoming.Remove(ManagerAttribute, out string? m) && m.Length > 0 ? m : null;
            state.Directory.TryGetValue(operation.ExternalId, out ProvisionedUser? user);
            string action;
            string status = "success";
            JsonObject? error = null;
            var modified = new JsonArray();
            var steps = new JsonArray(Step("EntryImport", "import", "success", $"Received user '{operation.ExternalId}' from the API."));
            string? displayName = incoming.TryGetValue("displayName", out string? dn) ? dn : null;
            IReadOnlyList<string> invalidDates = schema.InvalidDateTimes(incoming);

            if (incoming.TryGetValue("userName", out string? upn) && !Upn.IsMatch(upn))
            {
                action = user is null ? "create" : "update";
                status = "failure";
                error = Error("AzureActiveDirectoryInvalidUserPrincipalName", "NonServiceFailure", $"The userPrincipalName '{upn}' is not a valid user principal name.", "Send a userName of the form alias@verified-domain.");
            }
            else if (invalidDates.Count > 0)
            {
                // Entra takes DateTimeOffset values only as ISO 8601 with time and offset; the user is written in one
                // call, so one value it refuses fails the whole record.
                action = user is null ? "create" : "update";
                status = "failure";
                error = Error("InvalidDateTimeFormat", "NonServiceFailure", $"Not a date and time with an offset: {string.Join(", ", invalidDates)}.", "Send DateTime values as ISO 8601 with time and offset, for example 2024-03-01T00:00:00Z.");
            }
            else if (user is null)
            {
                action = "create";
                user = new ProvisionedUser(operation.ExternalId) { Enabled = enable };
                foreach (KeyValuePair<string, string> pair in incoming)
                {
                    user.Attributes[pair.Key] = pair.Value;
                    modified.Add(Modified(pair.Key, null, pair.Value));
                }

                modified.Add(Modified("accountEnabled", null, enable ? "True" : "False"));
                AssignManager(state, user, manager, modified, steps);
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

                AssignManager(state, user, manager, modified, steps);
                if (!enable && user.Enabled)
                {
                    action = "disable";
                    user.Enabled = false;
                    modified.Add(Modified("accountEnabled", "True", "False"));
                }
                else
                {
                    if (enable && !user.Enabled)
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

            steps.Add(Step("EntryExportUpdate", "export", status == "failure" ? "failure" : "success", $"{action} in Azure Active Directory."));

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
                ["provisioningSteps"] = steps,
                ["modifiedProperties"] = modified,
                ["sourceIdentity"] = new JsonObject { ["id"] = operation.ExternalId, ["displayName"] = displayName, ["identityType"] = "User", ["details"] = new JsonObject() },
                ["targetIdentity"] = new JsonObject { ["id"] = user?.ObjectId ?? string.Empty, ["displayName"] = displayName, ["identityType"] = "User", ["details"] = new JsonObject() },
                ["servicePrincipal"] = new JsonObject { ["id"] = sp.Id, ["displayName"] = sp.DisplayName },
                ["sourceSystem"] = new JsonObject { ["id"] = "api", ["displayName"] = "API", ["details"] = new JsonObject() },
                ["targetSystem"] = new JsonObject { ["id"] = "aad", ["displayName"] = "Azure Active Directory", ["details"] = new JsonObject() },
                ["initiatedBy"] = new JsonObject { ["id"] = string.Empty, ["displayName"] = "Microsoft.Azure.SyncFabric", ["initiatorType"] = "system" },
            };
        }

        /// <summary>
        /// Sets the manager when its record is already in the directory: the one from an earlier cycle, or one
        /// processed earlier in this cycle (operations run in the order they were accepted). Otherwise the reference
        /// stays as it was and, as the service's logs show, the entry keeps its status and gains a processing step
        /// with SkipReason UnableToResolveReferenceAttributeValue; only a later record that names the manager again
        /// sets it.
        /// </summary>
        private static void AssignManager(EmulatorState state, ProvisionedUser user, string? manager, JsonArray modified, JsonArray steps)
        {
            if (manager is null || string.Equals(manager, user.ManagerExternalId, StringComparison.OrdinalIgnoreCase))
            {
                return;
            }

            if (!string.Equals(manager, user.ExternalId, StringComparison.OrdinalIgnoreCase) && state.Directory.TryGetValue(manager, out ProvisionedUser? found))
            {
                string? old = user.ManagerExternalId is string previous && state.Directory.TryGetValue(previous, out ProvisionedUser? before) ? before.ObjectId : null;
                modified.Add(Modified("manager", old, found.ObjectId));
                user.ManagerExternalId = found.ExternalId;
                return;
            }

            JsonObject skip = Step("EntrySynchronizationSkip", "processing", "success", $"The manager '{manager}' of user '{user.ExternalId}' is not in the directory, so the reference was not set. Provision the manager first, then send this user again.");
            skip["details"] = new JsonObject { [manager] = user.ManagerExternalId is null ? "manager Add" : "manager Update", ["PropertyName"] = "manager", ["SkipReason"] = "UnableToResolveReferenceAttributeValue" };
            steps.Add(skip);
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
                        if (inner.Value is JsonObject reference && reference.ContainsKey("value"))
                        {
                            // manager: { value: externalId }; a null value sends no manager.
                            if (reference["value"] is JsonValue value)
                            {
                                result[key] = value.ToString();
                            }
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

        private static JsonObject Error(string code, string category, string reason, string recommended)
            => new JsonObject { ["errorCode"] = code, ["errorCategory"] = category, ["reason"] = reason, ["additionalDetails"] = null, ["recommendedAction"] = recommended };

        private static JsonObject Modified(string name, string? old, string? value)
            => new JsonObject { ["displayName"] = name, ["oldValue"] = old, ["newValue"] = value };

        private static JsonObject Step(string name, string type, string status, string description)
            => new JsonObject { ["name"] = name, ["provisioningStepType"] = type, ["status"] = status, ["description"] = description, ["details"] = new JsonObject() };
    }
}
