using System.Linq;
using System.Text.Json.Nodes;

namespace EntraInboundProvisioning.GraphEmulator
{
    /// <summary>
    /// The schema of a new API-driven inbound app (template API2AAD): an "API" source directory holding the SCIM
    /// core and enterprise User attributes, the Entra ID directory, and one rule with a User→User object mapping
    /// that matches on externalId → employeeId, as Microsoft documents the default mappings.
    /// </summary>
    internal static class DefaultSchema
    {
        private const string Enterprise = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

        private static readonly string[] ApiAttributes =
        {
            "externalId", "userName", "displayName", "nickName", "title", "userType", "active", "preferredLanguage", "locale", "timezone",
            "name.givenName", "name.familyName", "name.middleName", "name.formatted",
            "emails[type eq \"work\"].value", "phoneNumbers[type eq \"work\"].value", "phoneNumbers[type eq \"mobile\"].value",
            "addresses[type eq \"work\"].streetAddress", "addresses[type eq \"work\"].locality", "addresses[type eq \"work\"].region", "addresses[type eq \"work\"].postalCode", "addresses[type eq \"work\"].country",
            $"{Enterprise}:employeeNumber", $"{Enterprise}:costCenter", $"{Enterprise}:organization", $"{Enterprise}:division", $"{Enterprise}:department", $"{Enterprise}:manager",
        };

        private static readonly (string Source, string Target, int Matching)[] Mappings =
        {
            ("externalId", "employeeId", 1), ("userName", "userPrincipalName", 0), ("displayName", "displayName", 0), ("title", "jobTitle", 0),
            ("name.givenName", "givenName", 0), ("name.familyName", "surname", 0), ("userType", "employeeType", 0),
            ($"{Enterprise}:department", "department", 0), ($"{Enterprise}:manager", "manager", 0), ($"{Enterprise}:organization", "companyName", 0),
        };

        public static JsonObject Create(string jobId)
        {
            var attributeMappings = new JsonArray(Mappings.Select(m => (JsonNode)new JsonObject
            {
                ["defaultValue"] = "",
                ["exportMissingReferences"] = false,
                ["flowBehavior"] = "FlowWhenChanged",
                ["flowType"] = "Always",
                ["matchingPriority"] = m.Matching,
                ["targetAttributeName"] = m.Target,
                ["source"] = new JsonObject { ["expression"] = $"[{m.Source}]", ["name"] = m.Source, ["parameters"] = new JsonArray(), ["type"] = "Attribute" },
            }).ToArray());
            attributeMappings.Add(new JsonObject
            {
                ["defaultValue"] = "",
                ["exportMissingReferences"] = false,
                ["flowBehavior"] = "FlowWhenChanged",
                ["flowType"] = "Always",
                ["matchingPriority"] = 0,
                ["targetAttributeName"] = "accountEnabled",
                ["source"] = new JsonObject { ["expression"] = "Not([active])", ["name"] = "Not", ["type"] = "Function", ["parameters"] = new JsonArray() },
            });

            return new JsonObject
            {
                ["id"] = jobId.Split('.')[0],
                ["version"] = "Date:2026-01-01T00:00:00Z~###",
                ["synchronizationRules"] = new JsonArray(new JsonObject
                {
                    ["editable"] = true,
                    ["id"] = "a7c0c1d4-2d51-4ad7-b3f7-0c6e12c5c0aa",
                    ["name"] = "API2AAD",
                    ["priority"] = 1,
                    ["sourceDirectoryName"] = "API",
                    ["targetDirectoryName"] = "Azure Active Directory",
                    ["metadata"] = new JsonArray(),
                    ["objectMappings"] = new JsonArray(new JsonObject
                    {
                        ["enabled"] = true,
                        ["flowTypes"] = "Add, Update, Delete",
                        ["name"] = "Provision API User to Azure Active Directory",
                        ["sourceObjectName"] = "User",
                        ["targetObjectName"] = "User",
                        ["metadata"] = new JsonArray(),
                        ["scope"] = null,
                        ["attributeMappings"] = attributeMappings,
                    }),
                }),
                ["directories"] = new JsonArray(
                    Directory("API", ApiAttributes.Select(a => (a, a.EndsWith(":manager") ? "Reference" : a == "active" ? "Boolean" : "String"))),
                    // A fresh app maps nothing to employeeHireDate or employeeLeaveDateTime (Microsoft's custom-attribute
                    // tutorial adds HireDate for that); both are DateTime, so whatever an admin maps to them must be ISO 8601.
                    Directory("Azure Active Directory", new[] { ("employeeId", "String"), ("userPrincipalName", "String"), ("displayName", "String"), ("jobTitle", "String"), ("givenName", "String"), ("surname", "String"), ("department", "String"), ("companyName", "String"), ("employeeType", "String"), ("employeeHireDate", "DateTime"), ("employeeLeaveDateTime", "DateTime"), ("accountEnabled", "Boolean"), ("manager", "Reference"), ("extensionAttribute1", "String") })),
            };
        }

        private static JsonObject Directory(string name, System.Collections.Generic.IEnumerable<(string Name, string Type)> attributes) => new JsonObject
        {
            ["id"] = name == "API" ? "api" : "aad",
            ["name"] = name,
            ["readOnly"] = false,
            ["objects"] = new JsonArray(new JsonObject
            {
                ["name"] = "User",
                ["attributes"] = new JsonArray(attributes.Select(a => (JsonNode)new JsonObject
                {
                    ["anchor"] = a.Name is "externalId" or "employeeId",
                    ["caseExact"] = false,
                    ["flowNullValues"] = false,
                    ["multivalued"] = false,
                    ["mutability"] = "ReadWrite",
                    ["name"] = a.Name,
                    ["required"] = false,
                    ["type"] = a.Type,
                    ["apiExpressions"] = new JsonArray(),
                    ["metadata"] = new JsonArray(),
                    ["referencedObjects"] = new JsonArray(),
                }).ToArray()),
            }),
        };
    }
}
