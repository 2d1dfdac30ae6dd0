using System;
using System.Collections.Generic;
using System.Linq;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>
    /// The schemas API-driven provisioning accepts, written down from RFC 7643 (core User, section 4.1;
    /// enterprise User extension, section 4.3) plus the common attribute externalId (section 3.1).
    /// </summary>
    public static class ScimSchemas
    {
        /// <summary>URN of the core User schema.</summary>
        public const string CoreUserUrn = "urn:ietf:params:scim:schemas:core:2.0:User";

        /// <summary>URN of the enterprise User extension.</summary>
        public const string EnterpriseUserUrn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

        /// <summary>Every custom extension URN starts with this.</summary>
        public const string ExtensionPrefix = "urn:ietf:params:scim:schemas:extension:";

        private static readonly string[] EmailTypes = { "work", "home", "other" };
        private static readonly string[] PhoneTypes = { "work", "home", "mobile", "fax", "pager", "other" };
        private static readonly string[] ImTypes = { "aim", "gtalk", "icq", "xmpp", "msn", "skype", "qq", "yahoo" };
        private static readonly string[] PhotoTypes = { "photo", "thumbnail" };
        private static readonly string[] AddressTypes = { "work", "home", "other" };

        /// <summary>The core User schema, with externalId and id first (common attributes).</summary>
        public static ScimSchema CoreUser { get; } = new ScimSchema(
            CoreUserUrn,
            new ScimAttribute("id", ScimAttributeType.String, mutability: ScimMutability.ReadOnly),
            new ScimAttribute("externalId", ScimAttributeType.String),
            new ScimAttribute("userName", ScimAttributeType.String),
            new ScimAttribute(
                "name",
                ScimAttributeType.Complex,
                subAttributes: new[]
                {
                    Str("formatted"), Str("familyName"), Str("givenName"), Str("middleName"), Str("honorificPrefix"), Str("honorificSuffix"),
                }),
            Str("displayName"),
            Str("nickName"),
            new ScimAttribute("profileUrl", ScimAttributeType.Reference),
            Str("title"),
            Str("userType"),
            Str("preferredLanguage"),
            Str("locale"),
            Str("timezone"),
            new ScimAttribute("active", ScimAttributeType.Boolean),
            new ScimAttribute("password", ScimAttributeType.String, mutability: ScimMutability.WriteOnly),
            MultiValued("emails", EmailTypes),
            MultiValued("phoneNumbers", PhoneTypes),
            MultiValued("ims", ImTypes),
            new ScimAttribute(
                "photos",
                ScimAttributeType.Complex,
                multiValued: true,
                subAttributes: new[] { new ScimAttribute("value", ScimAttributeType.Reference), Str("display"), new ScimAttribute("type", ScimAttributeType.String, canonicalValues: PhotoTypes), Bool("primary") }),
            new ScimAttribute(
                "addresses",
                ScimAttributeType.Complex,
                multiValued: true,
                // RFC 7643 section 4.1.2 lists 'primary' for addresses although the schema representation omits it.
                subAttributes: new[]
                {
                    Str("formatted"), Str("streetAddress"), Str("locality"), Str("region"), Str("postalCode"), Str("country"),
                    new ScimAttribute("type", ScimAttributeType.String, canonicalValues: AddressTypes), Bool("primary"),
                }),
            new ScimAttribute(
                "groups",
                ScimAttributeType.Complex,
                multiValued: true,
                mutability: ScimMutability.ReadOnly,
                subAttributes: new[] { Str("value"), new ScimAttribute("$ref", ScimAttributeType.Reference), Str("display"), Str("type") }),
            MultiValued("entitlements", null),
            MultiValued("roles", null),
            new ScimAttribute(
                "x509Certificates",
                ScimAttributeType.Complex,
                multiValued: true,
                subAttributes: new[] { new ScimAttribute("value", ScimAttributeType.Binary), Str("display"), Str("type"), Bool("primary") }));

        /// <summary>The enterprise User extension.</summary>
        public static ScimSchema EnterpriseUser { get; } = new ScimSchema(
            EnterpriseUserUrn,
            Str("employeeNumber"),
            Str("costCenter"),
            Str("organization"),
            Str("division"),
            Str("department"),
            new ScimAttribute(
                "manager",
                ScimAttributeType.Complex,
                // manager.value is the manager's externalId in API-driven provisioning.
                subAttributes: new[] { Str("value"), new ScimAttribute("$ref", ScimAttributeType.Reference), new ScimAttribute("displayName", ScimAttributeType.String, mutability: ScimMutability.ReadOnly) }));

        /// <summary>The known schema for a URN, or null for a custom extension.</summary>
        public static ScimSchema? Find(string urn)
        {
            if (string.Equals(urn, CoreUserUrn, StringComparison.OrdinalIgnoreCase))
            {
                return CoreUser;
            }

            return string.Equals(urn, EnterpriseUserUrn, StringComparison.OrdinalIgnoreCase) ? EnterpriseUser : null;
        }

        /// <summary>True when the text has the shape of a schema URN (a mapping key that names an extension block).</summary>
        public static bool LooksLikeUrn(string key) => key.StartsWith("urn:", StringComparison.OrdinalIgnoreCase);

        /// <summary>
        /// True for a well-formed extension URN: the extension prefix followed by colon-separated segments of
        /// letters, digits, '.', '-' and '_' (for example <c>urn:ietf:params:scim:schemas:extension:csv:1.0:User</c>).
        /// </summary>
        public static bool IsWellFormedExtensionUrn(string urn)
        {
            if (!urn.StartsWith(ExtensionPrefix, StringComparison.OrdinalIgnoreCase) || urn.Length == ExtensionPrefix.Length)
            {
                return false;
            }

            foreach (string segment in urn.Substring(ExtensionPrefix.Length).Split(':'))
            {
                if (segment.Length == 0)
                {
                    return false;
                }

                foreach (char c in segment)
                {
                    if (!(IsAsciiLetterOrDigit(c) || c == '.' || c == '-' || c == '_'))
                    {
                        return false;
                    }
                }
            }

            return true;
        }

        /// <summary>
        /// True for a valid SCIM attribute name: ATTRNAME = ALPHA *(nameChar), nameChar = "-" / "_" / DIGIT / ALPHA
        /// (RFC 7643 section 2.1). '$ref' is allowed as the one reserved sub-attribute name.
        /// </summary>
        public static bool IsValidAttributeName(string name)
        {
            if (string.IsNullOrEmpty(name))
            {
                return false;
            }

            if (name == "$ref")
            {
                return true;
            }

            if (!IsAsciiLetter(name[0]))
            {
                return false;
            }

            for (int i = 1; i < name.Length; i++)
            {
                char c = name[i];
                if (!(IsAsciiLetterOrDigit(c) || c == '-' || c == '_'))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool IsAsciiLetter(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

        private static bool IsAsciiLetterOrDigit(char c) => IsAsciiLetter(c) || (c >= '0' && c <= '9');

        private static ScimAttribute Str(string name) => new ScimAttribute(name, ScimAttributeType.String);

        private static ScimAttribute Bool(string name) => new ScimAttribute(name, ScimAttributeType.Boolean);

        private static ScimAttribute MultiValued(string name, string[]? types) => new ScimAttribute(
            name,
            ScimAttributeType.Complex,
            multiValued: true,
            subAttributes: new[] { Str("value"), Str("display"), new ScimAttribute("type", ScimAttributeType.String, canonicalValues: types), Bool("primary") });
    }
}
