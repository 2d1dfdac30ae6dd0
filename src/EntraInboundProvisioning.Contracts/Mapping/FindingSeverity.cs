namespace EntraInboundProvisioning.Mapping
{
    /// <summary>How serious a mapping finding is.</summary>
    public enum FindingSeverity
    {
        /// <summary>The mapping works, but probably not as meant.</summary>
        Warning,
        /// <summary>The mapping cannot produce requests the service accepts.</summary>
        Error,
    }
}
