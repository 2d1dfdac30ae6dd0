using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using EntraInboundProvisioning.Mapping;

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
    }
}
