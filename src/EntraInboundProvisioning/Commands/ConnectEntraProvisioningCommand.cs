using System;
using System.IO;
using System.Management.Automation;
using System.Net.Http;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using EntraInboundProvisioning.Auth;
using EntraInboundProvisioning.Graph;
using EntraInboundProvisioning.PowerShell.Session;

namespace EntraInboundProvisioning.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Signs in to Microsoft Graph for API-driven inbound provisioning; one session per PowerShell session.</para>
    /// </summary>
    [Cmdlet(VerbsCommunications.Connect, "EntraProvisioning", DefaultParameterSetName = InteractiveSet)]
    [OutputType(typeof(EntraProvisioningContext))]
    public sealed class ConnectEntraProvisioningCommand : ProvisioningCmdlet
    {
        private const string InteractiveSet = "Interactive";
        private const string DeviceCodeSet = "DeviceCode";
        private const string SecretSet = "ClientSecret";
        private const string CertificateSet = "Certificate";
        private const string ThumbprintSet = "CertificateThumbprint";
        private const string CertificatePathSet = "CertificatePath";
        private const string ManagedIdentitySet = "ManagedIdentity";
        private const string AccessTokenSet = "AccessToken";


        /// <summary><para type="description">The tenant: its id or a verified domain such as contoso.onmicrosoft.com.</para></summary>
        [Parameter(ParameterSetName = InteractiveSet)]
        [Parameter(ParameterSetName = DeviceCodeSet)]
        [Parameter(Mandatory = true, ParameterSetName = SecretSet)]
        [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
        [Parameter(Mandatory = true, ParameterSetName = ThumbprintSet)]
        [Parameter(Mandatory = true, ParameterSetName = CertificatePathSet)]
        [ValidateNotNullOrEmpty]
        public string? TenantId { get; set; }

        /// <summary><para type="description">The application (client) id of the app registration to sign in as (or through, for users).</para></summary>
        [Parameter(ParameterSetName = InteractiveSet)]
        [Parameter(ParameterSetName = DeviceCodeSet)]
        [Parameter(Mandatory = true, ParameterSetName = SecretSet)]
        [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
        [Parameter(Mandatory = true, ParameterSetName = ThumbprintSet)]
        [Parameter(Mandatory = true, ParameterSetName = CertificatePathSet)]
        [ValidateNotNullOrEmpty]
        public string? ClientId { get; set; }

        /// <summary><para type="description">Signs a user in on another device with a code (where no browser is available).</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = DeviceCodeSet)]
        public SwitchParameter UseDeviceCode { get; set; }

        /// <summary><para type="description">The client secret of the app registration.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = SecretSet)]
        [ValidateNotNull]
        public SecureString? ClientSecret { get; set; }

        /// <summary><para type="description">A certificate with its private key, registered on the app.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = CertificateSet)]
        [ValidateNotNull]
        public X509Certificate2? Certificate { get; set; }

        /// <summary><para type="description">The thumbprint of a certificate in the CurrentUser or LocalMachine 'My' store.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = ThumbprintSet)]
        [ValidateNotNullOrEmpty]
        public string? CertificateThumbprint { get; set; }

        /// <summary><para type="description">A PFX (or PEM with its key) file holding the certificate and private key.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = CertificatePathSet)]
        [ValidateNotNullOrEmpty]
        public string? CertificatePath { get; set; }

        /// <summary><para type="description">The password of the -CertificatePath file.</para></summary>
        [Parameter(ParameterSetName = CertificatePathSet)]
        public SecureString? CertificatePassword { get; set; }

        /// <summary><para type="description">Signs in as the managed identity of the Azure Automation account, VM or App Service the command runs in.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = ManagedIdentitySet)]
        public SwitchParameter ManagedIdentity { get; set; }

        /// <summary><para type="description">The client id of a user-assigned managed identity; without it the system-assigned identity signs in.</para></summary>
        [Parameter(ParameterSetName = ManagedIdentitySet)]
        [ValidateNotNullOrEmpty]
        public string? ManagedIdentityClientId { get; set; }

        /// <summary><para type="description">A Graph access token obtained elsewhere. It is used as is and cannot be renewed.</para></summary>
        [Parameter(Mandatory = true, ParameterSetName = AccessTokenSet)]
        [ValidateNotNull]
        public SecureString? AccessToken { get; set; }

        /// <summary><para type="description">The cloud: Global (default), USGov, USGovDoD or China. It chooses both the Graph host and the token audience.</para></summary>
        [Parameter]
        public CloudEnvironment Environment { get; set; } = CloudEnvironment.Global;

        /// <summary><para type="description">For tests only: the base address of the Graph emulator, which then receives sign-in and Graph calls.</para></summary>
        [Parameter(DontShow = true)]
        public Uri? TestEndpoint { get; set; }

        /// <summary><para type="description">For tests only: the Graph emulator's certificate, trusted for -TestEndpoint and nothing else.</para></summary>
        [Parameter(DontShow = true)]
        public X509Certificate2? TestCertificate { get; set; }

        /// <summary><para type="description">For tests only: the window of the reports limit (5 reads per window; Graph's is 10 seconds), matching an emulator set to a shorter one.</para></summary>
        [Parameter(DontShow = true)]
        public TimeSpan? TestReportsWindow { get; set; }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            CloudEndpoints endpoints;
            try
            {
                endpoints = TestEndpoint is null ? CloudEndpoints.For(Environment) : CloudEndpoints.ForTest(TestEndpoint, Environment);
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "InvalidTestEndpoint", ErrorCategory.InvalidArgument, TestEndpoint));
                return;
            }

            var options = new AuthenticationOptions { TenantId = TenantId, ClientId = ClientId, Endpoints = endpoints };
            switch (ParameterSetName)
            {
                case DeviceCodeSet:
                    options.Mode = AuthenticationMode.DeviceCode;
                    break;
                case SecretSet:
                    options.Mode = AuthenticationMode.ClientSecret;
                    options.ClientSecret = ClientSecret;
                    break;
                case CertificateSet:
                    options.Mode = AuthenticationMode.Certificate;
                    options.Certificate = Certificate;
                    break;
                case ThumbprintSet:
                    options.Mode = AuthenticationMode.Certificate;
                    options.Certificate = FindCertificate(CertificateThumbprint!);
                    break;
                case CertificatePathSet:
                    options.Mode = AuthenticationMode.Certificate;
                    options.Certificate = LoadCertificate(SessionState.Path.GetUnresolvedProviderPathFromPSPath(CertificatePath));
                    break;
                case ManagedIdentitySet:
                    options.Mode = AuthenticationMode.ManagedIdentity;
                    options.ManagedIdentityClientId = ManagedIdentityClientId;
                    break;
                case AccessTokenSet:
                    options.Mode = AuthenticationMode.AccessToken;
                    options.AccessToken = AccessToken;
                    break;
                default:
                    options.Mode = AuthenticationMode.Interactive;
                    break;
            }

            if (options.Mode == AuthenticationMode.Certificate && options.Certificate is { HasPrivateKey: false })
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException($"The certificate {options.Certificate.Thumbprint} has no private key; app sign-in needs it."), "CertificateWithoutPrivateKey", ErrorCategory.InvalidArgument, options.Certificate.Thumbprint));
            }

            if (TestReportsWindow is not null && TestEndpoint is null)
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("-TestReportsWindow is for the Graph emulator only (with -TestEndpoint): Graph's reports limit is 5 reads per 10 seconds."), "InvalidTestEndpoint", ErrorCategory.InvalidArgument, TestReportsWindow));
            }

            X509Certificate2? trusted = TestEndpoint is null ? null : TestCertificate;
            Func<HttpClient> httpClients = () => new HttpClient(GraphClient.CreateHandler(endpoints, trusted));
            AccessTokenProvider tokens = AccessTokenProvider.Create(options, httpClients, Pump.Warning);
            var graph = new GraphClient(endpoints, tokens, GraphClient.CreateHandler(endpoints, trusted));
            BearerToken token;
            try
            {
                WriteVerbose($"Signing in ({options.Mode}) to {endpoints.AuthorityHost} for {endpoints.Audience}.");
                token = Pump.Run(this, ct => tokens.GetTokenAsync(false, ct), Cancellation);
            }
            catch (Exception ex) when (ex is not PipelineStoppedException and not OperationCanceledException)
            {
                graph.Dispose();
                ThrowTerminatingError(new ErrorRecord(new InvalidOperationException($"Sign-in failed: {ex.Message}", ex), "SignInFailed", ErrorCategory.AuthenticationError, TenantId));
                return;
            }

            var context = new EntraProvisioningContext(TenantId, ClientId ?? ManagedIdentityClientId, options.Mode.ToString(), Environment.ToString(), tokens.Account, endpoints.Graph, token.ExpiresOn);
            var reads = new GraphReadOptions();
            if (TestReportsWindow is TimeSpan window)
            {
                reads.ReportsWindow = window;
            }

            ProvisioningSession.Set(new ProvisioningApi(graph, reads), context);
            WriteObject(context);
        }


        private X509Certificate2 FindCertificate(string thumbprint)
        {
            foreach (StoreLocation location in new[] { StoreLocation.CurrentUser, StoreLocation.LocalMachine })
            {
                try
                {
                    using var store = new X509Store(StoreName.My, location);
                    store.Open(OpenFlags.ReadOnly);
                    X509Certificate2Collection found = store.Certificates.Find(X509FindType.FindByThumbprint, thumbprint.Replace(" ", string.Empty), validOnly: false);
                    if (found.Count > 0)
                    {
                        return found[0];
                    }
                }
                catch (System.Security.Cryptography.CryptographicException)
                {
                    // A store that does not exist on this platform: try the next.
                }
            }

            ThrowTerminatingError(new ErrorRecord(new ItemNotFoundException($"No certificate with thumbprint {thumbprint} is in the CurrentUser or LocalMachine 'My' store."), "CertificateNotFound", ErrorCategory.ObjectNotFound, thumbprint));
            throw new InvalidOperationException(); // not reached
        }

        private X509Certificate2 LoadCertificate(string path)
        {
            try
            {
                byte[] bytes = File.ReadAllBytes(path);
                if (bytes.Length > 0 && bytes[0] == (byte)'-')
                {
                    // PEM: certificate and private key in one file, as most tools export them.
                    return PemCertificate.LoadFile(path, CertificatePassword is not null);
                }

                return CertificatePassword is null ? new X509Certificate2(bytes) : new X509Certificate2(bytes, CertificatePassword, X509KeyStorageFlags.DefaultKeySet);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.Cryptography.CryptographicException or NotSupportedException or ArgumentException)
            {
                ThrowTerminatingError(new ErrorRecord(new InvalidOperationException($"Cannot load the certificate from '{path}': {ex.Message}", ex), "CertificateUnreadable", ErrorCategory.ReadError, path));
                throw; // not reached
            }
        }
    }
}
