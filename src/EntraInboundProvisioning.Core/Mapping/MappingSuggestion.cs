using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using EntraInboundProvisioning.Scim;

namespace EntraInboundProvisioning.Mapping
{
    /// <summary>
    /// Proposes a starting mapping from column names, by the names HR exports commonly use (WorkerID → externalId,
    /// FirstName → name.givenName, ManagerID → manager …), and renders it as an AttributeMapping.psd1 file with
    /// the columns it could not place listed as comments.
    /// </summary>
    public sealed class MappingSuggestion
    {
        // Where a column goes, keyed by its name folded to lower-case letters and digits. First match wins per target.
        private static readonly (string Target, string[] Names)[] Rules =
        {
            ("externalId", new[] { "workerid", "employeeid", "personid", "personnelnumber", "empid", "employeeno", "empno", "staffid", "workerno", "externalid" }),
            ("userName", new[] { "userprincipalname", "upn", "username", "userid", "login", "loginname", "samaccountname" }),
            ("displayName", new[] { "fullname", "displayname", "preferredname", "name" }),
            ("nickName", new[] { "nickname", "preferredfirstname" }),
            ("title", new[] { "jobtitle", "title", "positiontitle", "position", "jobname" }),
            ("userType", new[] { "workertype", "employeetype", "usertype", "employmenttype", "workerclass" }),
            ("active", new[] { "active", "isactive", "enabled", "accountenabled" }),
            ("active:status", new[] { "workerstatus", "employmentstatus", "employeestatus", "status" }),
            ("preferredLanguage", new[] { "preferredlanguage", "language" }),
            ("locale", new[] { "locale" }),
            ("timezone", new[] { "timezone", "tz" }),
            ("name.givenName", new[] { "firstname", "givenname", "forename", "legalfirstname" }),
            ("name.familyName", new[] { "lastname", "surname", "familyname", "legallastname" }),
            ("name.middleName", new[] { "middlename" }),
            ("name.honorificPrefix", new[] { "prefix", "salutation", "honorificprefix" }),
            ("name.honorificSuffix", new[] { "suffix", "honorificsuffix" }),
            ("emails:work", new[] { "email", "workemail", "emailaddress", "mail", "businessemail" }),
            ("emails:home", new[] { "personalemail", "homeemail", "privateemail" }),
            ("phoneNumbers:work", new[] { "officephone", "workphone", "businessphone", "phone", "telephone", "phonenumber", "telephonenumber" }),
            ("phoneNumbers:mobile", new[] { "mobile", "mobilephone", "cellphone", "cell", "mobilenumber" }),
            ("phoneNumbers:fax", new[] { "fax", "faxnumber" }),
            ("addresses.streetAddress", new[] { "streetaddress", "street", "address", "addressline1", "workaddress" }),
            ("addresses.locality", new[] { "city", "locality", "town" }),
            ("addresses.region", new[] { "state", "region", "province", "county" }),
            ("addresses.postalCode", new[] { "zipcode", "zip", "postalcode", "postcode" }),
            ("addresses.country", new[] { "countrycode", "twolettercountrycode", "country", "countryiso" }),
            ("enterprise.employeeNumber", new[] { "employeenumber", "workerid", "employeeid", "personnelnumber" }),
            ("enterprise.costCenter", new[] { "costcenter", "costcentre", "costcentername", "costcenterid" }),
            ("enterprise.organization", new[] { "company", "organization", "organisation", "companyname", "legalentity" }),
            ("enterprise.division", new[] { "division", "businessunit", "divisionname" }),
            ("enterprise.department", new[] { "department", "departmentname", "dept" }),
            ("enterprise.manager", new[] { "managerid", "manageremployeeid", "managerworkerid", "supervisorid", "reportstoid", "manager" }),
        };

        private MappingSuggestion(IReadOnlyList<string> columns, Dictionary<string, string> targets, IReadOnlyList<string> unmatched)
        {
            Columns = columns;
            Targets = targets;
            Unmatched = unmatched;
        }

        /// <summary>The input columns, in order.</summary>
        public IReadOnlyList<string> Columns { get; }

        /// <summary>Target (for example <c>name.givenName</c>, <c>phoneNumbers:mobile</c>) → column.</summary>
        public IReadOnlyDictionary<string, string> Targets { get; }

        /// <summary>Columns no rule placed (a column mapped twice, like WorkerID, counts as placed).</summary>
        public IReadOnlyList<string> Unmatched { get; }

        /// <summary>True when a column for externalId was found.</summary>
        public bool HasExternalId => Targets.ContainsKey("externalId");

        /// <summary>True when a column gives active (a flag, or a status compared with 'Active').</summary>
        public bool HasActive => Targets.ContainsKey("active") || Targets.ContainsKey("active:status");

        /// <summary>Proposes targets for the columns.</summary>
        public static MappingSuggestion FromColumns(IReadOnlyList<string> columns)
        {
            var byFolded = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (string column in columns)
            {
                string folded = Fold(column);
                if (folded.Length > 0 && !byFolded.ContainsKey(folded))
                {
                    byFolded.Add(folded, column);
                }
            }

            var targets = new Dictionary<string, string>(StringComparer.Ordinal);
            var used = new HashSet<string>(StringComparer.Ordinal);
            foreach ((string target, string[] names) in Rules)
            {
                // 'active' from a boolean column wins over a status column.
                if (target == "active:status" && targets.ContainsKey("active"))
                {
                    continue;
                }

                foreach (string name in names)
                {
                    // A column is used once, except that the worker id may also be the enterprise employeeNumber.
                    if (byFolded.TryGetValue(name, out string? column) && (!used.Contains(column) || target == "enterprise.employeeNumber"))
                    {
                        targets[target] = column;
                        used.Add(column);
                        break;
                    }
                }
            }

            return new MappingSuggestion(columns, targets, columns.Where(c => !used.Contains(c)).ToArray());
        }

        /// <summary>
        /// Renders the suggestion as an AttributeMapping.psd1 file. With <paramref name="extensionUrn"/>, unplaced
        /// columns whose names are valid SCIM attribute names go under that extension; the rest stay comments.
        /// </summary>
        public string ToPsd1(string? sourceName, string? extensionUrn = null)
        {
            var text = new StringBuilder();
            text.AppendLine($"# Attribute mapping generated by New-ScimAttributeMapping{(sourceName is null ? string.Empty : $" from {sourceName}")}.");
            text.AppendLine("# Review every line; then check it with Test-ScimAttributeMapping before converting records.");
            text.AppendLine("#   'Column' = a column's value; { ... } = computed from the record ($_); @{ } = complex; @( @{ } ) = multi-valued.");
            text.AppendLine("@{");
            if (Targets.TryGetValue("externalId", out string? externalId))
            {
                Line(text, 1, "externalId", Quote(externalId));
            }
            else
            {
                text.AppendLine("    # externalId = '<the column holding each worker's unique, stable id>'   # REQUIRED: no column looked like one");
            }

            foreach (string simple in new[] { "userName", "displayName", "nickName", "title", "userType", "preferredLanguage", "locale", "timezone" })
            {
                if (Targets.TryGetValue(simple, out string? column))
                {
                    Line(text, 1, simple, Quote(column));
                }
            }

            if (Targets.TryGetValue("active", out string? active))
            {
                Line(text, 1, "active", Quote(active));
            }
            else if (Targets.TryGetValue("active:status", out string? status))
            {
                Line(text, 1, "active", $"{{ $_.{Member(status)} -eq 'Active' }}   # adjust to the value your system uses for active workers");
            }
            else
            {
                // The service disables the account of a record without active, so the mapping must say it.
                text.AppendLine("    # active = { $_.'<status column>' -eq 'Active' }   # REQUIRED: a record without active disables the account; no column looked like a status");
            }

            Block(text, 1, "name", Sub("name.", "givenName", "familyName", "middleName", "honorificPrefix", "honorificSuffix"));
            MultiValued(text, "emails", "work", "home");
            MultiValued(text, "phoneNumbers", "work", "mobile", "fax");
            List<(string, string)> address = Sub("addresses.", "streetAddress", "locality", "region", "postalCode", "country");
            if (address.Count > 0)
            {
                text.AppendLine("    addresses = @(");
                text.AppendLine("        @{");
                Line(text, 3, "type", "{ 'work' }");
                foreach ((string name, string column) in address)
                {
                    Line(text, 3, name, Quote(column));
                }

                text.AppendLine("        }");
                text.AppendLine("    )");
            }

            List<(string, string)> enterprise = Sub("enterprise.", "employeeNumber", "costCenter", "organization", "division", "department");
            bool manager = Targets.TryGetValue("enterprise.manager", out string? managerColumn);
            if (enterprise.Count > 0 || manager)
            {
                text.AppendLine($"    '{ScimSchemas.EnterpriseUserUrn}' = @{{");
                foreach ((string name, string column) in enterprise)
                {
                    Line(text, 2, name, Quote(column));
                }

                if (manager)
                {
                    text.AppendLine("        manager = @{");
                    Line(text, 3, "value", Quote(managerColumn!) + "   # the manager's externalId");
                    text.AppendLine("        }");
                }

                text.AppendLine("    }");
            }

            List<string> extension = extensionUrn is null ? new List<string>() : Unmatched.Where(ScimSchemas.IsValidAttributeName).ToList();
            if (extension.Count > 0)
            {
                text.AppendLine($"    '{extensionUrn}' = @{{");
                foreach (string column in extension)
                {
                    Line(text, 2, column, Quote(column));
                }

                text.AppendLine("    }");
            }

            List<string> left = Unmatched.Except(extension).ToList();
            if (left.Count > 0)
            {
                text.AppendLine("    # Columns not mapped; map them above, or under a schema extension such as");
                text.AppendLine("    # 'urn:ietf:params:scim:schemas:extension:<yourcompany>:1.0:User' = @{ HireDate = 'HireDate' }");
                foreach (string column in left)
                {
                    text.AppendLine($"    #   {column}");
                }
            }

            text.AppendLine("}");
            return text.ToString();
        }

        private void MultiValued(StringBuilder text, string attribute, params string[] types)
        {
            var items = types.Where(t => Targets.ContainsKey($"{attribute}:{t}")).ToList();
            if (items.Count == 0)
            {
                return;
            }

            text.AppendLine($"    {attribute} = @(");
            foreach (string type in items)
            {
                text.AppendLine($"        @{{ type = {{ '{type}' }}; value = {Quote(Targets[$"{attribute}:{type}"])} }}");
            }

            text.AppendLine("    )");
        }

        private List<(string Name, string Column)> Sub(string prefix, params string[] names)
            => names.Where(n => Targets.ContainsKey(prefix + n)).Select(n => (n, Targets[prefix + n])).ToList();

        private static void Block(StringBuilder text, int depth, string name, List<(string Name, string Column)> children)
        {
            if (children.Count == 0)
            {
                return;
            }

            text.Append(' ', depth * 4).Append(name).AppendLine(" = @{");
            foreach ((string child, string column) in children)
            {
                Line(text, depth + 1, child, Quote(column));
            }

            text.Append(' ', depth * 4).AppendLine("}");
        }

        private static void Line(StringBuilder text, int depth, string name, string value)
            => text.Append(' ', depth * 4).Append(ScimSchemas.IsValidAttributeName(name) ? name : Quote(name)).Append(" = ").AppendLine(value);

        /// <summary>A PowerShell single-quoted string (quotes doubled).</summary>
        internal static string Quote(string text) => "'" + text.Replace("'", "''") + "'";

        /// <summary>A property access PowerShell parses for any column name: bare when it can be, quoted otherwise.</summary>
        private static string Member(string column) => ScimSchemas.IsValidAttributeName(column) && column.IndexOf('-') < 0 ? column : Quote(column);

        private static string Fold(string column)
        {
            var folded = new StringBuilder(column.Length);
            foreach (char c in column)
            {
                if (char.IsLetterOrDigit(c))
                {
                    folded.Append(char.ToLowerInvariant(c));
                }
            }

            return folded.ToString();
        }
    }
}
