using System;
using System.Collections.Generic;
using System.Linq;

namespace EntraInboundProvisioning.Logs
{
    /// <summary>The actions the statistics count; anything else the service reports is Other.</summary>
    public enum ProvisioningAction
    {
        /// <summary>An account was created.</summary>
        Create,
        /// <summary>An account was updated.</summary>
        Update,
        /// <summary>An account was deleted.</summary>
        Delete,
        /// <summary>An account was disabled.</summary>
        Disable,
        /// <summary>An account was staged for deletion.</summary>
        StagedDelete,
        /// <summary>Anything else (for example a skipped record).</summary>
        Other,
    }
}
