using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using EntraInboundProvisioning.HelpCompiler;
using Xunit;

namespace EntraInboundProvisioning.Tests
{
    /// <summary>
    /// The cmdlet surface, checked from the cmdlet assembly's metadata against PowerShell's reference assembly,
    /// so it runs without PowerShell: every cmdlet exported, named by an approved verb, one class per file,
    /// [OutputType], ShouldProcess where it changes a tenant, and a help page documenting every parameter.
    /// </summary>
    public sealed class ModuleSurfaceTests : IDisposable
    {
        private static readonly string[] TenantChangingVerbs = { "Send", "Update", "Import", "Set", "Remove", "Start", "Stop", "Restart", "Suspend", "Resume", "Invoke" };
        private const string PublicTypesAssembly = "EntraInboundProvisioning.Contracts";

        private static readonly string[] CommonParameters = { "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ProgressAction", "ErrorVariable", "WarningVariable", "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable", "WhatIf", "Confirm" };

        private readonly MetadataLoadContext _context;
        private readonly List<Type> _cmdlets;

        public ModuleSurfaceTests()
        {
            string output = AppContext.BaseDirectory;
            string runtime = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
            IEnumerable<string> paths = Directory.GetFiles(runtime, "*.dll")
                .Concat(Directory.GetFiles(output, "*.dll").Where(p => !Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal)))
                .Append(Path.Combine(output, "metadata", "System.Management.Automation.dll"));
            _context = new MetadataLoadContext(new PathAssemblyResolver(paths));
            Assembly cmdletAssembly = _context.LoadFromAssemblyPath(Path.Combine(output, "EntraInboundProvisioning.dll"));
            _cmdlets = cmdletAssembly.GetTypes().Where(t => Attribute(t, "CmdletAttribute") is not null).OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        }

        public void Dispose() => _context.Dispose();

        public static string RepositoryRoot()
        {
            string? directory = AppContext.BaseDirectory;
            while (directory is not null && !File.Exists(Path.Combine(directory, "EntraInboundProvisioning.sln")))
            {
                directory = Path.GetDirectoryName(directory);
            }

            return directory ?? throw new InvalidOperationException("Repository root not found.");
        }

        [Fact]
        public void ManifestExportsExactlyTheCmdletClasses()
        {
            string manifest = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "EntraInboundProvisioning.psd1"));
            Match block = Regex.Match(manifest, @"CmdletsToExport\s*=\s*@\((?<list>[^)]*)\)", RegexOptions.Singleline);
            Assert.True(block.Success, "the manifest has no CmdletsToExport list");
            string[] exported = Regex.Matches(block.Groups["list"].Value, @"'(?<name>[^']+)'").Select(m => m.Groups["name"].Value).OrderBy(n => n, StringComparer.Ordinal).ToArray();
            Assert.Equal(_cmdlets.Select(CommandName).OrderBy(n => n, StringComparer.Ordinal), exported);
            Assert.Matches(@"FunctionsToExport\s*=\s*@\(\)", manifest);
            Assert.Matches(@"AliasesToExport\s*=\s*@\(\)", manifest);
            Assert.Matches(@"VariablesToExport\s*=\s*@\(\)", manifest);
        }

        [Fact]
        public void EveryCmdletUsesAnApprovedVerbAndLivesInItsOwnFile()
        {
            Assert.NotEmpty(_cmdlets);
            Assembly sma = _context.LoadFromAssemblyName("System.Management.Automation");
            var approved = new HashSet<string>(sma.GetTypes()
                .Where(t => t.Name.StartsWith("Verbs", StringComparison.Ordinal) && t.Namespace == "System.Management.Automation")
                .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static))
                .Select(f => (string)f.GetRawConstantValue()!));
            Assert.Contains("ConvertTo", approved);
            string commands = Path.Combine(RepositoryRoot(), "src", "EntraInboundProvisioning", "Commands");
            foreach (Type cmdlet in _cmdlets)
            {
                (string verb, string noun) = VerbNoun(cmdlet);
                Assert.Contains(verb, approved);
                Assert.Equal($"{verb}{noun.Replace("-", string.Empty, StringComparison.Ordinal)}Command", cmdlet.Name);
                Assert.True(cmdlet.IsSealed && cmdlet.IsPublic, $"{cmdlet.Name} must be public sealed");
                Assert.True(File.Exists(Path.Combine(commands, cmdlet.Name + ".cs")), $"{cmdlet.Name} must live in Commands/{cmdlet.Name}.cs");
            }
        }

        [Fact]
        public void EveryCmdletDeclaresOutputAndTenantChangingOnesSupportShouldProcess()
        {
            foreach (Type cmdlet in _cmdlets)
            {
                Assert.True(Attributes(cmdlet, "OutputTypeAttribute").Any(), $"{cmdlet.Name} has no [OutputType]");
                (string verb, _) = VerbNoun(cmdlet);
                if (TenantChangingVerbs.Contains(verb))
                {
                    Assert.True(SupportsShouldProcess(cmdlet), $"{cmdlet.Name} changes the tenant and must support -WhatIf/-Confirm");
                }

                foreach (PropertyInfo parameter in Parameters(cmdlet))
                {
                    Assert.NotEqual(typeof(bool).FullName, parameter.PropertyType.FullName);
                }
            }
        }

        [Fact]
        public void ExportedTypesCanBeLaidOutWithoutTheDependencies()
        {
            // PowerShell calls GetExportedTypes() while importing, before the module initializer routes Core and the
            // rest of Dependencies/ to the module's load context. Laying out a type needs the types of its value-type
            // fields, so an exported type must not hold a value-typed field from Core or another dependency, and
            // attributes must not name their types. The public types (Contracts) sit beside the cmdlet assembly and
            // resolve from there at any time.
            Assembly cmdletAssembly = _cmdlets[0].Assembly;
            var allowed = new HashSet<string>(StringComparer.Ordinal) { "netstandard", "System.Management.Automation", cmdletAssembly.GetName().Name!, PublicTypesAssembly };
            allowed.UnionWith(Directory.GetFiles(Path.GetDirectoryName(typeof(object).Assembly.Location)!, "*.dll").Select(Path.GetFileNameWithoutExtension)!);
            foreach (Type type in cmdletAssembly.GetExportedTypes())
            {
                foreach (FieldInfo field in type.GetFields(BindingFlags.Instance | BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
                {
                    Type fieldType = field.FieldType;
                    Type[] inspected = fieldType.IsGenericType ? fieldType.GetGenericArguments().Append(fieldType).ToArray() : new[] { fieldType };
                    foreach (Type t in inspected.Where(t => t.IsValueType))
                    {
                        Assert.True(allowed.Contains(t.Assembly.GetName().Name!), $"{type.Name}.{field.Name} is a {t.FullName} from {t.Assembly.GetName().Name}: PowerShell could not import the module.");
                    }
                }

                foreach (CustomAttributeData attribute in type.GetCustomAttributesData())
                {
                    foreach (CustomAttributeTypedArgument argument in attribute.ConstructorArguments.SelectMany(a => a.Value is IEnumerable<CustomAttributeTypedArgument> many ? many : new[] { a }))
                    {
                        if (argument.Value is Type referenced)
                        {
                            Assert.True(allowed.Contains(referenced.Assembly.GetName().Name!), $"[{attribute.AttributeType.Name}] on {type.Name} names {referenced.FullName} by type; name it by string.");
                        }
                    }
                }
            }

            AssemblyName[] references = cmdletAssembly.GetReferencedAssemblies();
            Assert.Equal(new[] { "EntraInboundProvisioning.Contracts", "EntraInboundProvisioning.Core", "System.Management.Automation", "netstandard" }, references.Select(r => r.Name!).OrderBy(n => n, StringComparer.Ordinal));
        }

        [Fact]
        public void TypesCmdletsTakeAndReturnLiveInThePublicTypesAssembly()
        {
            // Scripts name these types by literal ([EntraInboundProvisioning.Scim.BulkRequest], [OutputType()], typed
            // parameters). PowerShell 7 resolves literals only in the default load context, where Contracts and the
            // cmdlet assembly load and Core never does: a public type added to Core would silently stop resolving.
            Assembly cmdletAssembly = _cmdlets[0].Assembly;
            var moduleTypes = new HashSet<string>(StringComparer.Ordinal);
            void Check(Type type, string where)
            {
                Type inner = type.IsArray ? type.GetElementType()! : type;
                inner = inner.IsGenericType && inner.GetGenericTypeDefinition().FullName == "System.Nullable`1" ? inner.GetGenericArguments()[0] : inner;
                string assembly = inner.Assembly.GetName().Name!;
                if (!assembly.StartsWith("EntraInboundProvisioning", StringComparison.Ordinal))
                {
                    return;
                }

                bool cmdletSide = assembly == cmdletAssembly.GetName().Name && !inner.IsEnum;
                Assert.True(assembly == PublicTypesAssembly || cmdletSide, $"{where} is {inner.FullName} from {assembly}; public types belong in {PublicTypesAssembly}.");
                moduleTypes.Add(inner.FullName!);
            }

            foreach (Type cmdlet in _cmdlets)
            {
                foreach (CustomAttributeData outputType in Attributes(cmdlet, "OutputTypeAttribute"))
                {
                    foreach (CustomAttributeTypedArgument argument in outputType.ConstructorArguments.SelectMany(a => (IEnumerable<CustomAttributeTypedArgument>)a.Value!))
                    {
                        if (argument.Value is Type type)
                        {
                            Check(type, $"[OutputType] of {cmdlet.Name}");
                        }
                        else
                        {
                            string name = (string)argument.Value!;
                            Assert.False(name.StartsWith("EntraInboundProvisioning", StringComparison.Ordinal), $"{cmdlet.Name} names {name} by string; name it by typeof so Get-Command resolves it.");
                        }
                    }
                }

                foreach (PropertyInfo parameter in Parameters(cmdlet))
                {
                    Check(parameter.PropertyType, $"{cmdlet.Name} -{parameter.Name}");
                }
            }

            Assert.Contains("EntraInboundProvisioning.Scim.BulkRequest", moduleTypes);
            Assert.Contains("EntraInboundProvisioning.Sending.BulkUploadResult", moduleTypes);
            Assert.Contains("EntraInboundProvisioning.Auth.CloudEnvironment", moduleTypes);
        }

        [Fact]
        public void EveryCmdletHasAHelpPageDocumentingExactlyItsParameters()
        {
            string docs = Path.Combine(RepositoryRoot(), "docs", "en-US");
            foreach (Type cmdlet in _cmdlets)
            {
                string name = CommandName(cmdlet);
                string path = Path.Combine(docs, name + ".md");
                Assert.True(File.Exists(path), $"{name} needs docs/en-US/{name}.md");
                HelpPage page = HelpPage.Parse(path);
                Assert.Equal(name, page.Name);
                Assert.True(page.Examples.Count >= 2, $"{name} needs at least two examples");
                Dictionary<string, PropertyInfo> parameters = Parameters(cmdlet).ToDictionary(p => p.Name, StringComparer.Ordinal);
                IEnumerable<string> expected = parameters.Keys.Where(k => !CommonParameters.Contains(k));
                if (SupportsShouldProcess(cmdlet))
                {
                    // platyPS documents -WhatIf and -Confirm on pages of cmdlets that support them.
                    expected = expected.Concat(new[] { "WhatIf", "Confirm" });
                }

                Assert.Equal(expected.OrderBy(k => k, StringComparer.Ordinal), page.Parameters.Select(p => p.Name).OrderBy(k => k, StringComparer.Ordinal));
                foreach (HelpParameter documented in page.Parameters.Where(p => parameters.ContainsKey(p.Name)))
                {
                    Type type = parameters[documented.Name].PropertyType;
                    Type shown = type.IsGenericType && type.GetGenericTypeDefinition().FullName == "System.Nullable`1" ? type.GetGenericArguments()[0] : type;
                    Assert.True(documented.Type == shown.Name, $"{name} -{documented.Name}: the page says {documented.Type}, the cmdlet takes {shown.Name}");
                    bool mandatoryEverywhere = ParameterAttributes(parameters[documented.Name]).All(a => a.NamedArguments.Any(n => n.MemberName == "Mandatory" && (bool)n.TypedValue.Value!));
                    bool mandatorySomewhere = ParameterAttributes(parameters[documented.Name]).Any(a => a.NamedArguments.Any(n => n.MemberName == "Mandatory" && (bool)n.TypedValue.Value!));
                    if (mandatoryEverywhere || !mandatorySomewhere)
                    {
                        Assert.True(documented.Required == mandatoryEverywhere, $"{name} -{documented.Name}: Required should be {mandatoryEverywhere}");
                    }
                }
            }

            string[] pages = Directory.GetFiles(docs, "*-*.md").Select(Path.GetFileNameWithoutExtension).ToArray()!;
            Assert.Empty(pages.Except(_cmdlets.Select(CommandName)));
        }

        [Fact]
        public void HelpCompilesToMamlWithACommandPerPage()
        {
            string[] files = Directory.GetFiles(Path.Combine(RepositoryRoot(), "docs", "en-US"), "*-*.md");
            XDocument maml = MamlWriter.Write(files.Select(HelpPage.Parse));
            XNamespace command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
            XNamespace maml2004 = "http://schemas.microsoft.com/maml/2004/10";
            XNamespace dev = "http://schemas.microsoft.com/maml/dev/2004/10";
            List<XElement> commands = maml.Root!.Elements(command + "command").ToList();
            Assert.Equal(files.Length, commands.Count);
            foreach (XElement element in commands)
            {
                Assert.False(string.IsNullOrWhiteSpace(element.Element(command + "details")!.Element(maml2004 + "description")!.Value));
                Assert.Contains(element.Element(command + "examples")!.Elements(command + "example"), e => e.Element(dev + "code")!.Value.Length > 0);
                Assert.NotEmpty(element.Element(command + "syntax")!.Elements(command + "syntaxItem"));
            }
        }

        [Fact]
        public void HelpPagesMissingSectionsAreRefusedWithTheirName()
        {
            var ex = Assert.Throws<FormatException>(() => HelpPage.Parse("# Get-Thing\n\n## SYNOPSIS\nx\n", "Get-Thing.md"));
            Assert.Contains("Get-Thing.md", ex.Message);
            Assert.Contains("DESCRIPTION", ex.Message);
        }

        private static bool SupportsShouldProcess(Type cmdlet)
            => Attribute(cmdlet, "CmdletAttribute")!.NamedArguments.Any(a => a.MemberName == "SupportsShouldProcess" && (bool)a.TypedValue.Value!);

        private static string CommandName(Type cmdlet)
        {
            (string verb, string noun) = VerbNoun(cmdlet);
            return $"{verb}-{noun}";
        }

        private static (string Verb, string Noun) VerbNoun(Type cmdlet)
        {
            CustomAttributeData attribute = Attribute(cmdlet, "CmdletAttribute")!;
            return ((string)attribute.ConstructorArguments[0].Value!, (string)attribute.ConstructorArguments[1].Value!);
        }

        private static IEnumerable<PropertyInfo> Parameters(Type cmdlet)
            => cmdlet.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => ParameterAttributes(p).Any());

        private static IEnumerable<CustomAttributeData> ParameterAttributes(PropertyInfo property)
            => property.GetCustomAttributesData().Where(a => a.AttributeType.Name == "ParameterAttribute");

        private static CustomAttributeData? Attribute(Type type, string name) => Attributes(type, name).FirstOrDefault();

        private static IEnumerable<CustomAttributeData> Attributes(Type type, string name)
            => type.GetCustomAttributesData().Where(a => a.AttributeType.Name == name);
    }
}
