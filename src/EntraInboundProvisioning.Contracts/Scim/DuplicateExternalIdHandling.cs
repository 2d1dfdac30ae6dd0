namespace EntraInboundProvisioning.Scim
{
    /// <summary>Which row is sent when an externalId appears in more than one row of a run.</summary>
    public enum DuplicateExternalIdHandling
    {
        /// <summary>The last row (the default): the service processes every operation, so the last one sent wins there too.</summary>
        Last,
        /// <summary>The first row.</summary>
        First,
        /// <summary>Nothing is converted; every repeated externalId is reported with its rows.</summary>
        Error,
    }
}
