namespace EntraInboundProvisioning.Auth
{
    /// <summary>The Microsoft clouds the module can provision in.</summary>
    public enum CloudEnvironment
    {
        /// <summary>Global Azure (graph.microsoft.com).</summary>
        Global,
        /// <summary>US Government L4 (graph.microsoft.us).</summary>
        USGov,
        /// <summary>US Government L5, DoD (dod-graph.microsoft.us).</summary>
        USGovDoD,
        /// <summary>Azure operated by 21Vianet (microsoftgraph.chinacloudapi.cn).</summary>
        China,
    }
}
