using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Threading;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.PowerShell.Conversion;
using EntraInboundProvisioning.PowerShell.Mapping;
using EntraInboundProvisioning.PowerShell.Records;
using EntraInboundProvisioning.PowerShell.Session;
using EntraInboundProvisioning.Schema;
using EntraInboundProvisioning.Scim;
using EntraInboundProvisioning.Sources;

namespace EntraInboundProvisioning.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Adds custom attributes (typed) and, on request, their attribute mappings to an API-driven provisioning job's schema.</para>
    /// </summary>
    [Cmdlet(VerbsData.Update, "ProvisioningSchema", DefaultParameterSetName = NamesSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(SchemaChange))]
    public sealed class UpdateProvisioningSchemaCommand : ProvisioningCmdlet
    {
        private const string NamesSet = "AttributeName";
        private const string AttributeSet = "Attribute";
        private const string PathSet = "Path";
        private const string MappingSet = "AttributeMapping";
        private const string InputObjectSet = "InputObject";

        private readonly List<SchemaAttributeSpec> _specs = new List<SchemaAttributeSpec>();
        private readonly HashSet<string> _seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private readonly List<string> _invalid = new List<string>();

        /// <summary><para type="description">The provisioning app's service principal: its object id or application id.</para></summary>
        [Parameter(Mandatory = true)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(ServicePrincipalIdCompleter))]
        public string? ServicePrincipalId { get; set; }

        /// <summary><para type="description">The job, when the app has more than one API-driven job.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(JobIdCompleter))]
        public string? JobId { get; set; }

        /// <summary><para type="description">Attribute names to add under -ScimSchemaNamespace, all of -Type.</para></summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = NamesSet)]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(SchemaAttributeNameCompleter))]
        public string[]? AttributeName { get; set; }

        /// <summary><para type="description">Attributes as hashtables: Name, Type (String, Integer, Boolean, DateTime), Multivalued, FlowNullValues.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = AttributeSet)]
        [ValidateNotNullOrEmpty]
        public Hashtable[]? Attribute { get; set; }

        /// <summary><para type="description">CSV files whose column names become attributes under -ScimSchemaNamespace.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = PathSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[]? Path { get; set; }

        /// <summary><para type="description">A mapping (hashtable or .psd1 path): the attributes under its custom extension URNs are added.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = MappingSet)]
        [ValidateNotNull]
        public object? AttributeMapping { get; set; }

        /// <summary><para type="description">Records whose property names become attributes under -ScimSchemaNamespace.</para></summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
        public PSObject? InputObject { get; set; }

        /// <summary><para type="description">The custom extension URN, for example urn:ietf:params:scim:schemas:extension:contoso:1.0:User; attribute names become &lt;urn&gt;:&lt;attribute&gt;.</para></summary>
        [Parameter(ParameterSetName = NamesSet, Mandatory = true)]
        [Parameter(ParameterSetName = AttributeSet, Mandatory = true)]
        [Parameter(ParameterSetName = PathSet, Mandatory = true)]
        [Parameter(ParameterSetName = InputObjectSet, Mandatory = true)]
        [ValidatePattern(@"^urn:ietf:params:scim:schemas:extension:[A-Za-z0-9._-]+(:[A-Za-z0-9._-]+)*$")]
        public string? ScimSchemaNamespace { get; set; }

        /// <summary><para type="description">The type of attributes named by -AttributeName, -Path, -AttributeMapping or -InputObject (default String).</para></summary>
        [Parameter]
        public SchemaAttributeType Type { get; set; } = SchemaAttributeType.String;

        /// <summary><para type="description">The CSV delimiter for -Path (default comma).</para></summary>
        [Parameter(ParameterSetName = PathSet)]
        public char Delimiter { get; set; } = ',';

        /// <summary><para type="description">Attribute mappings to add, source → Entra ID attribute: @{ HireDate = 'employeeHireDate' }. Sources are attribute names (short or full).</para></summary>
        [Parameter]
        [ValidateNotNull]
        public Hashtable? TargetAttribute { get; set; }

        /// <summary><para type="description">The flow type of added mappings (default Always).</para></summary>
        [Parameter]
        public AttributeFlowType FlowType { get; set; } = AttributeFlowType.Always;

        /// <summary><para type="description">Replaces existing mappings to the same target attributes.</para></summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary><para type="description">Saves the schema as it was before the change to this file.</para></summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? BackupPath { get; set; }

        /// <summary><para type="description">Returns the attributes and mappings added (and those already there).</para></summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            switch (ParameterSetName)
            {
                case InputObjectSet when InputObject is not null:
                    foreach (string name in PSObjectRecord.Create(InputObject, 0).FieldNames)
                    {
                        AddNamed(name);
                    }

                    break;
                case PathSet:
                    foreach (string file in InputFiles.Resolve(this, Path, literal: false))
                    {
                        try
                        {
                            foreach (string name in InputFiles.ReadHeader(file, Delimiter, null))
                            {
                                AddNamed(name);
                            }
                        }
                        catch (Exception ex) when (InputFiles.IsUnreadable(ex))
                        {
                            ThrowTerminatingError(new ErrorRecord(ex, "InputFileUnreadable", ErrorCategory.ReadError, file));
                        }
                    }

                    break;
            }
        }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            CollectFromParameters();
            if (_invalid.Count > 0)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new PSArgumentException($"These names are not valid SCIM attribute names (a letter, then letters, digits, '-' or '_'): {string.Join(", ", _invalid.Select(n => $"'{n}'"))}. Rename the columns or map them under valid names."),
                    "InvalidAttributeName",
                    ErrorCategory.InvalidArgument,
                    _invalid));
            }
            var (sp, job) = ResolveJob(ServicePrincipalId!, JobId);
            string original = RunGraph(ct => Api.GetSchemaAsync(sp.Id, job.Id, ct), "GetSchemaFailed", job.Id, "Synchronization.ReadWrite.All");
            SynchronizationSchemaDocument document;
            try
            {
                document = SynchronizationSchemaDocument.Parse(original);
                var changes = new List<SchemaChange>(document.AddAttributes(_specs));
                if (TargetAttribute is not null)
                {
                    changes.AddRange(document.AddMappings(Mappings(), FlowType, Force.IsPresent));
                }

                Apply(sp.Id, job.Id, original, document, changes);
            }
            catch (SynchronizationSchemaException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "UnsupportedSchema", ErrorCategory.InvalidData, job.Id));
            }
        }


        private void Apply(string spId, string jobId, string original, SynchronizationSchemaDocument document, List<SchemaChange> changes)
        {
            foreach (SchemaChange unchanged in changes.Where(c => c.Kind is SchemaChangeKind.AttributeExists or SchemaChangeKind.MappingExists))
            {
                WriteVerbose(unchanged.Kind == SchemaChangeKind.AttributeExists
                    ? $"'{unchanged.Attribute}' is already in '{unchanged.Directory}'."
                    : $"'{unchanged.TargetAttribute}' is already mapped from {unchanged.PreviousSource}; left alone (use -Force to replace it).");
            }

            List<SchemaChange> added = changes.Where(c => c.Kind is SchemaChangeKind.AttributeAdded or SchemaChangeKind.MappingAdded or SchemaChangeKind.MappingReplaced).ToList();
            if (added.Count == 0)
            {
                WriteVerbose("Nothing to add: the schema already has every attribute and mapping given.");
                if (PassThru.IsPresent)
                {
                    WriteObject(changes, enumerateCollection: true);
                }

                return;
            }

            string summary = string.Join("; ", added.Select(c => c.Kind == SchemaChangeKind.AttributeAdded ? $"add attribute {c.Attribute} ({c.Type})" : $"{(c.Kind == SchemaChangeKind.MappingReplaced ? "replace" : "add")} mapping {c.Attribute} -> {c.TargetAttribute}"));
            if (!ShouldProcess($"schema of job {jobId}", summary))
            {
                return;
            }

            if (BackupPath is not null)
            {
                string backup = SessionState.Path.GetUnresolvedProviderPathFromPSPath(BackupPath);
                File.WriteAllText(backup, SynchronizationSchemaDocument.Parse(original).ToJson(indented: true), new UTF8Encoding(false));
                WriteVerbose($"Saved the schema as it was to '{backup}'.");
            }

            try
            {
                // No lost update: the PUT replaces the whole document, so it is refused if the schema changed since it was read.
                RunGraph(ct => Api.PutSchemaIfUnchangedAsync(spId, jobId, original, document.ToJson(), ct), "PutSchemaFailed", jobId, "Synchronization.ReadWrite.All");
            }
            catch (Graph.SchemaChangedException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "SchemaChangedConcurrently", ErrorCategory.ResourceBusy, jobId));
            }

            WriteVerbose($"Updated the schema of job {jobId}: {summary}.");
            if (PassThru.IsPresent)
            {
                WriteObject(changes, enumerateCollection: true);
            }
        }

        private IEnumerable<KeyValuePair<string, string>> Mappings()
        {
            foreach (DictionaryEntry entry in TargetAttribute!)
            {
                string source = Convert.ToString(entry.Key, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
                string target = Convert.ToString(entry.Value, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
                // A short name means the attribute of that name under this command's extension (or one just added).
                string full = source.StartsWith("urn:", StringComparison.OrdinalIgnoreCase)
                    ? source
                    : _specs.Select(s => s.Name).FirstOrDefault(n => n.EndsWith(":" + source, StringComparison.OrdinalIgnoreCase))
                      ?? (ScimSchemaNamespace is null ? source : $"{ScimSchemaNamespace}:{source}");
                yield return new KeyValuePair<string, string>(full, target);
            }
        }

        private void CollectFromParameters()
        {
            switch (ParameterSetName)
            {
                case NamesSet:
                    foreach (string name in AttributeName!)
                    {
                        AddNamed(name);
                    }

                    break;
                case AttributeSet:
                    foreach (Hashtable attribute in Attribute!)
                    {
                        string name = Convert.ToString(attribute["Name"], System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
                        SchemaAttributeType type = SchemaAttributeType.String;
                        if (attribute["Type"] is object t && !Enum.TryParse(Convert.ToString(t, System.Globalization.CultureInfo.InvariantCulture), true, out type))
                        {
                            ThrowTerminatingError(new ErrorRecord(new PSArgumentException($"'{t}' is not an attribute type; use String, Integer, Boolean, DateTime, Reference or Binary."), "InvalidAttributeType", ErrorCategory.InvalidArgument, attribute));
                        }

                        Add(name, type, LanguagePrimitives.IsTrue(attribute["Multivalued"]), LanguagePrimitives.IsTrue(attribute["FlowNullValues"]));
                    }

                    break;
                case MappingSet:
                    (AttributeMapping mapping, _) = MappingArgument.Load(this, AttributeMapping!, new ScriptBlockEvaluator());
                    foreach (MappingNode block in mapping.Entries.Where(e => ScimSchemas.LooksLikeUrn(e.Name) && ScimSchemas.Find(e.Name) is null))
                    {
                        foreach (MappingNode child in block.Children)
                        {
                            if (!ScimSchemas.IsValidAttributeName(child.Name))
                            {
                                _invalid.Add(child.Name);
                                continue;
                            }

                            string full = $"{block.Name}:{child.Name}";
                            if (_seen.Add(full))
                            {
                                _specs.Add(new SchemaAttributeSpec(full, Type));
                            }
                        }
                    }

                    if (_specs.Count == 0 && _invalid.Count == 0)
                    {
                        WriteWarning("The mapping has no custom extension attributes (attributes under a 'urn:ietf:params:scim:schemas:extension:…' key other than the enterprise User extension).");
                    }

                    break;
            }
        }

        private void AddNamed(string name) => Add(name, Type, false, false);

        private void Add(string name, SchemaAttributeType type, bool multivalued, bool flowNullValues)
        {
            string shortName = name.StartsWith("urn:", StringComparison.OrdinalIgnoreCase) ? name.Substring(name.LastIndexOf(':') + 1) : name;
            if (!ScimSchemas.IsValidAttributeName(shortName))
            {
                _invalid.Add(name);
                return;
            }

            string full = name.StartsWith("urn:", StringComparison.OrdinalIgnoreCase) ? name : $"{ScimSchemaNamespace}:{name}";
            if (_seen.Add(full))
            {
                _specs.Add(new SchemaAttributeSpec(full, type, multivalued, flowNullValues));
            }
        }
    }
}
