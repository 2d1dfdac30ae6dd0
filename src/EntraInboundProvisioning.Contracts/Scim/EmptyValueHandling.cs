namespace EntraInboundProvisioning.Scim
{
    /// <summary>What to send for an empty or missing value.</summary>
    public enum EmptyValueHandling
    {
        /// <summary>Leave the attribute out, so the target attribute keeps its value (the default).</summary>
        Omit,
        /// <summary>Send an explicit null, which clears the target attribute when the app flows null values.</summary>
        Null,
    }
}
