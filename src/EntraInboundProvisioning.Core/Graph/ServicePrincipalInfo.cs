using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Logs;

namespace EntraInboundProvisioning.Graph
{
    /// <summary>A service principal (enterprise app) as the module needs it.</summary>
    public sealed class ServicePrincipalInfo
    {
        internal ServicePrincipalInfo(string id, string appId, string displayName)
        {
            Id = id;
            AppId = appId;
            DisplayName = displayName;
        }

        /// <summary>The object id.</summary>
        public string Id { get; }

        /// <summary>The application id.</summary>
        public string AppId { get; }

        /// <summary>The name shown in the portal.</summary>
        public string DisplayName { get; }
    }
}
