using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;
using EntraInboundProvisioning.Graph;

namespace EntraInboundProvisioning.PowerShell.Session
{
}

namespace EntraInboundProvisioning.PowerShell.Session
{
    /// <summary>
    /// Completes -AttributeName with the SCIM attribute names the job's API source directory already has under the
    /// -ScimSchemaNamespace on the command line (to see what exists before adding more).
    /// </summary>
    public sealed class SchemaAttributeNameCompleter : IArgumentCompleter
    {
        /// <inheritdoc />
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            ProvisioningApi? api = ProvisioningSession.Api;
            if (api is null || fakeBoundParameters["ServicePrincipalId"] is not string servicePrincipalId)
            {
                return Array.Empty<CompletionResult>();
            }

            string prefix = fakeBoundParameters["ScimSchemaNamespace"] is string urn ? urn + ":" : string.Empty;
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                ServicePrincipalInfo sp = api.ResolveServicePrincipalAsync(servicePrincipalId, timeout.Token).GetAwaiter().GetResult();
                SynchronizationJobInfo job = api.ResolveJobAsync(sp.Id, fakeBoundParameters["JobId"] as string, timeout.Token).GetAwaiter().GetResult();
                var schema = Schema.SynchronizationSchemaDocument.Parse(api.GetSchemaAsync(sp.Id, job.Id, timeout.Token).GetAwaiter().GetResult());
                return schema.AttributeNames(schema.ApiSourceDirectoryName())
                    .Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                    .Select(n => n.Substring(prefix.Length))
                    .Where(n => n.Length > 0 && n.IndexOf(':') < 0 && n.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase))
                    .Select(n => new CompletionResult(n, n, CompletionResultType.ParameterValue, prefix + n))
                    .ToArray();
            }
            catch (Exception ex) when (ex is GraphException or ArgumentException or OperationCanceledException or Schema.SynchronizationSchemaException)
            {
                return Array.Empty<CompletionResult>();
            }
        }
    }
}
