using System;
using System.Net.Http;
using System.Runtime.InteropServices;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Identity.Client;
using Microsoft.Identity.Client.AppConfig;

namespace EntraInboundProvisioning.Auth
{
    /// <summary>A bearer token and when it stops working.</summary>
    public readonly struct BearerToken
    {
        /// <summary>Creates a token.</summary>
        public BearerToken(string value, DateTimeOffset expiresOn)
        {
            Value = value;
            ExpiresOn = expiresOn;
        }

        /// <summary>The token; never written anywhere.</summary>
        public string Value { get; }

        /// <summary>Expiry.</summary>
        public DateTimeOffset ExpiresOn { get; }

        /// <inheritdoc />
        public override string ToString() => $"Bearer token, expires {ExpiresOn:u}";
    }
}
