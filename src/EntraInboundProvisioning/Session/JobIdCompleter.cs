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
    /// <summary>Completes -JobId with the jobs of the -ServicePrincipalId already on the command line.</summary>
    public sealed class JobIdCompleter : IArgumentCompleter
    {
        /// <inheritdoc />
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            ProvisioningApi? api = ProvisioningSession.Api;
            if (api is null || fakeBoundParameters["ServicePrincipalId"] is not string servicePrincipalId)
            {
                return Array.Empty<CompletionResult>();
            }

            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                ServicePrincipalInfo sp = api.ResolveServicePrincipalAsync(servicePrincipalId, timeout.Token).GetAwaiter().GetResult();
                return api.ListJobsAsync(sp.Id, timeout.Token).GetAwaiter().GetResult()
                    .Where(j => j.Id.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase))
                    .Select(j => new CompletionResult(j.Id, j.Id, CompletionResultType.ParameterValue, $"{j.TemplateId} ({j.Status})"))
                    .ToArray();
            }
            catch (Exception ex) when (ex is GraphException or ArgumentException or OperationCanceledException)
            {
                // Completion never fails loudly.
                return Array.Empty<CompletionResult>();
            }
        }
    }
}
