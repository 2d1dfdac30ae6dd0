using System.IO;
using System.Management.Automation;
using EntraInboundProvisioning.Scim;

namespace EntraInboundProvisioning.PowerShell.Conversion
{
    /// <summary>What a conversion run tells (a bad row, an unreadable file, a warning) as PowerShell warnings and errors.</summary>
    internal static class ConversionDiagnostics
    {
        public static void Write(Cmdlet cmdlet, ConversionDiagnostic diagnostic)
        {
            switch (diagnostic.Severity, diagnostic.ErrorId)
            {
                case (DiagnosticSeverity.Warning, _):
                    cmdlet.WriteWarning(diagnostic.Message);
                    break;
                case (_, "InputFileUnreadable"):
                    cmdlet.WriteError(new ErrorRecord(diagnostic.Exception, diagnostic.ErrorId, ErrorCategory.ReadError, diagnostic.Source));
                    break;
                case (_, "NoRecords"):
                    cmdlet.WriteError(new ErrorRecord(new InvalidDataException(diagnostic.Message), diagnostic.ErrorId, ErrorCategory.InvalidData, diagnostic.Source));
                    break;
                default:
                    cmdlet.WriteError(new ErrorRecord(new InvalidDataException(diagnostic.Message, diagnostic.Exception), diagnostic.ErrorId, ErrorCategory.InvalidData, diagnostic));
                    break;
            }
        }
    }
}
