using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Scim;

namespace EntraInboundProvisioning.PowerShell.Mapping
{
    /// <summary>
    /// Turns the -AttributeMapping argument (a hashtable, or a path to a .psd1 file) into a Core mapping; shared by
    /// ConvertTo-ScimBulkRequest and Test-ScimAttributeMapping so both read mappings identically.
    /// </summary>
    internal static class MappingArgument
    {
        public static (AttributeMapping Mapping, IReadOnlyList<MappingFinding> Findings) Load(PSCmdlet cmdlet, object argument, ScriptBlockEvaluator evaluator)
        {
            var reader = new AttributeMappingReader(evaluator.Invoke);
            object value = argument is PSObject psObject ? psObject.BaseObject : argument;
            AttributeMapping mapping;
            try
            {
                switch (value)
                {
                    case IDictionary dictionary:
                        mapping = reader.FromDictionary(dictionary);
                        break;
                    case FileInfo file:
                        mapping = reader.FromFile(file.FullName);
                        break;
                    case string path:
                        mapping = reader.FromFile(cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path));
                        break;
                    default:
                        throw new AttributeMappingException($"-AttributeMapping takes a hashtable or the path of a .psd1 file, not [{value.GetType().FullName}].");
                }
            }
            catch (AttributeMappingException ex)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(ex, "InvalidAttributeMapping", ErrorCategory.InvalidArgument, argument));
                throw; // not reached: ThrowTerminatingError always throws
            }

            return (mapping, reader.Findings);
        }

        /// <summary>Writes a mapping's warnings (as read, and as <see cref="MappingValidator"/> finds); its errors stop the command.</summary>
        public static ConversionSource Check(PSCmdlet cmdlet, ConversionSource source, IReadOnlyList<MappingFinding> readFindings, bool allowMissingActive)
        {
            AttributeMapping mapping = source.Mapping;
            List<MappingFinding> findings = readFindings.Concat(MappingValidator.Validate(mapping, null, allowMissingActive)).ToList();
            foreach (MappingFinding warning in findings.Where(f => f.Severity == FindingSeverity.Warning))
            {
                cmdlet.WriteWarning($"{warning.Attribute}: {warning.Message}");
            }

            List<MappingFinding> errors = findings.Where(f => f.Severity == FindingSeverity.Error).ToList();
            if (errors.Count > 0)
            {
                string where = mapping.Source is null ? "The attribute mapping" : $"The attribute mapping '{mapping.Source}'";
                string list = string.Join(Environment.NewLine, errors.Select(e => $"  {e.Attribute}: {e.Message}"));
                cmdlet.ThrowTerminatingError(new ErrorRecord(
                    new PSArgumentException($"{where} has {errors.Count} error(s); run Test-ScimAttributeMapping for details:{Environment.NewLine}{list}"),
                    "InvalidAttributeMapping",
                    ErrorCategory.InvalidArgument,
                    errors));
            }

            return source;
        }

        /// <summary>Without -AttributeMapping, same-named columns of the first input map to SCIM attributes; it needs externalId.</summary>
        public static ConversionSource FromColumns(PSCmdlet cmdlet, IReadOnlyList<string> columns, string where, bool allowMissingActive)
        {
            AttributeMapping mapping = AttributeMapping.FromSameNamedColumns(columns);
            if (mapping.Find("externalId") is null)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(
                    new PSArgumentException($"No -AttributeMapping was given and {where} have no column named externalId. Give a mapping, for example -AttributeMapping @{{ externalId = 'WorkerID'; userName = 'UPN' }}. Available columns: {string.Join(", ", columns)}."),
                    "ExternalIdNotMapped",
                    ErrorCategory.InvalidArgument,
                    null));
            }

            cmdlet.WriteVerbose($"No -AttributeMapping given: mapping same-named columns {string.Join(", ", mapping.Entries.Select(e => e.Name))}.");
            return Check(cmdlet, new ConversionSource(mapping), Array.Empty<MappingFinding>(), allowMissingActive);
        }
    }
}
