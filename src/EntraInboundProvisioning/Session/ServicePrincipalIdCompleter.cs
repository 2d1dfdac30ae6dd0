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
    /// <summary>
    /// Completes -ServicePrincipalId with the provisioning apps this session has already worked with (the tenant
    /// has too many service principals to list), most recent first.
    /// </summary>
    public sealed class ServicePrincipalIdCompleter : IArgumentCompleter
    {
        /// <inheritdoc />
        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete, CommandAst commandAst, IDictionary fakeBoundParameters)
            => ProvisioningSession.KnownServicePrincipals()
                .Where(sp => sp.Id.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase) || sp.DisplayName.StartsWith(wordToComplete ?? string.Empty, StringComparison.OrdinalIgnoreCase))
                .Select(sp => new CompletionResult(sp.Id, sp.Id, CompletionResultType.ParameterValue, sp.DisplayName));
    }
}
