using System.Management.Automation;
using System.Net;
using EntraInboundProvisioning.Graph;

namespace EntraInboundProvisioning.PowerShell.Session
{
    /// <summary>Maps Graph failures to PowerShell error categories, the same way in every cmdlet.</summary>
    internal static class GraphErrors
    {
        public static ErrorCategory Category(GraphException ex) => ex.Status switch
        {
            HttpStatusCode.Unauthorized => ErrorCategory.AuthenticationError,
            HttpStatusCode.Forbidden => ErrorCategory.PermissionDenied,
            HttpStatusCode.NotFound => ErrorCategory.ObjectNotFound,
            HttpStatusCode.BadRequest => ErrorCategory.InvalidData,
            HttpStatusCode.Conflict or HttpStatusCode.PreconditionFailed => ErrorCategory.ResourceBusy,
            (HttpStatusCode)429 => ErrorCategory.LimitsExceeded,
            null => ErrorCategory.ConnectionError,
            _ => ErrorCategory.NotSpecified,
        };
    }
}
