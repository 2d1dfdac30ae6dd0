namespace EntraInboundProvisioning.Schema
{
    /// <summary>How an attribute mapping flows (Graph attributeMapping.flowType).</summary>
    public enum AttributeFlowType
    {
        /// <summary>On create and every update.</summary>
        Always,
        /// <summary>Only when the object is created.</summary>
        ObjectAddOnly,
        /// <summary>Multi-valued: only add values.</summary>
        MultiValueAddOnly,
        /// <summary>Only when the target has no value.</summary>
        ValueAddOnly,
        /// <summary>Only when the target attribute is added.</summary>
        AttributeAddOnly,
    }
}
