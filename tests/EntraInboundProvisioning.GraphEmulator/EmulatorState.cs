using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json.Nodes;

namespace EntraInboundProvisioning.GraphEmulator
{
    /// <summary>An app registration that can sign in.</summary>
    public sealed record RegisteredApp(string TenantId, string ClientId, string? Secret, X509Certificate2? Certificate, IReadOnlyList<string> Roles);

    /// <summary>A provisioning app's service principal.</summary>
    public sealed record ServicePrincipal(string Id, string AppId, string DisplayName);

    /// <summary>A bulk operation the service accepted.</summary>
    public sealed record AcceptedOperation(string JobId, string ExternalId, string BulkId, DateTimeOffset AcceptedAt, JsonObject Data);

    /// <summary>A request the emulator received (never its token).</summary>
    public sealed record ReceivedRequest(string Method, string Path, string? ContentType, bool HadAuthorization, string? ClientRequestId, int Status);

    /// <summary>A user in the emulated directory.</summary>
    public sealed class ProvisionedUser
    {
        public ProvisionedUser(string externalId)
            : this(externalId, Guid.NewGuid().ToString())
        {
        }

        private ProvisionedUser(string externalId, string objectId)
        {
            ExternalId = externalId;
            ObjectId = objectId;
        }

        public string ExternalId { get; }

        public string ObjectId { get; }

        public bool Enabled { get; set; } = true;

        /// <summary>The externalId of the manager the reference resolved to; null while none is set.</summary>
        public string? ManagerExternalId { get; set; }

        /// <summary>The SCIM attributes as flattened paths (name.givenName, urn:…:User:department); manager and active are kept apart.</summary>
        public Dictionary<string, string> Attributes { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        /// <summary>A copy, so a reader outside the state's lock sees one moment of the directory.</summary>
        internal ProvisionedUser Copy()
        {
            var copy = new ProvisionedUser(ExternalId, ObjectId) { Enabled = Enabled, ManagerExternalId = ManagerExternalId };
            foreach (KeyValuePair<string, string> pair in Attributes)
            {
                copy.Attributes[pair.Key] = pair.Value;
            }

            return copy;
        }

        /// <summary>The shape GET /_emulator/directory returns.</summary>
        internal JsonObject ToJson() => new JsonObject
        {
            ["externalId"] = ExternalId,
            ["objectId"] = ObjectId,
            ["enabled"] = Enabled,
            ["manager"] = ManagerExternalId,
            ["attributes"] = new JsonObject(Attributes.OrderBy(a => a.Key, StringComparer.Ordinal).Select(a => new KeyValuePair<string, JsonNode?>(a.Key, a.Value))),
        };
    }

    /// <summary>
    /// Shares of requests answered with a fault, drawn from the seeded random source: of bulkUpload calls
    /// (<see cref="EmulatorState.Faults"/>) or of provisioning log reads (<see cref="EmulatorState.LogFaults"/>). For a
    /// log read, a drop before accept closes the connection before any answer, and a drop after accept cuts the
    /// connection half-way through the page's body.
    /// </summary>
    public sealed class FaultPlan
    {
        public double Throttle429 { get; set; }

        public double Error500 { get; set; }

        public double Error503 { get; set; }

        /// <summary>The connection drops before the upload is recorded: the client must retry.</summary>
        public double DropBeforeAccept { get; set; }

        /// <summary>The upload is recorded, then the connection drops: a retry sends it twice.</summary>
        public double DropAfterAccept { get; set; }

        /// <summary>The first this-many requests after the plan is set are answered normally (a failure part-way through a read).</summary>
        public int SkipFirst { get; set; }

        public double Total => Throttle429 + Error500 + Error503 + DropBeforeAccept + DropAfterAccept;
    }

    /// <summary>A synchronization job of a service principal.</summary>
    public sealed class EmulatedJob
    {
        public EmulatedJob(string id, string servicePrincipalId)
        {
            Id = id;
            ServicePrincipalId = servicePrincipalId;
            Schema = DefaultSchema.Create(id);
        }

        public string Id { get; }

        public string ServicePrincipalId { get; }

        public string TemplateId { get; init; } = "API2AAD";

        public string Status { get; set; } = "Active";

        public JsonObject Schema { get; set; }

        public List<AcceptedOperation> Pending { get; } = new List<AcceptedOperation>();

        public List<AcceptedOperation> Accepted { get; } = new List<AcceptedOperation>();

        public Queue<DateTimeOffset> RecentCalls { get; } = new Queue<DateTimeOffset>();

        public int BulkUploadCalls { get; set; }

        public DateTimeOffset? LastCycleBegan { get; set; }

        public DateTimeOffset? LastCycleEnded { get; set; }
    }

    /// <summary>
    /// Everything the emulator knows, behind one lock: apps, service principals, jobs and their schemas, accepted
    /// operations, the emulated directory and the provisioning log. Tests read and steer it directly.
    /// </summary>
    public sealed class EmulatorState
    {
        internal readonly object Gate = new object();
        internal readonly Dictionary<string, RegisteredApp> Apps = new Dictionary<string, RegisteredApp>(StringComparer.OrdinalIgnoreCase);
        internal readonly Dictionary<string, ServicePrincipal> ServicePrincipals = new Dictionary<string, ServicePrincipal>(StringComparer.OrdinalIgnoreCase);
        internal readonly Dictionary<string, EmulatedJob> Jobs = new Dictionary<string, EmulatedJob>(StringComparer.OrdinalIgnoreCase);
        internal readonly Dictionary<string, ProvisionedUser> Directory = new Dictionary<string, ProvisionedUser>(StringComparer.OrdinalIgnoreCase);
        internal readonly ProvisioningLog Log = new ProvisioningLog();
        internal readonly Dictionary<string, Queue<DateTimeOffset>> ReportsCalls = new Dictionary<string, Queue<DateTimeOffset>>(StringComparer.OrdinalIgnoreCase);
        internal readonly Dictionary<string, (string ClientId, string TenantId, string Scope, bool Approved, DateTimeOffset Expires)> DeviceCodes = new();
        internal readonly List<DateTimeOffset> TenantCalls = new List<DateTimeOffset>();
        internal readonly List<ReceivedRequest> ReceivedRequests = new List<ReceivedRequest>();
        internal readonly List<string> EmulatorFailures = new List<string>();
        internal readonly Random Random;
        internal DateTimeOffset LastLogTime = DateTimeOffset.MinValue;

        public static readonly string[] AllRoles = { "SynchronizationData-User.Upload", "Synchronization.ReadWrite.All", "AuditLog.Read.All", "Application.Read.All" };

        internal EmulatorState(EmulatorOptions options)
        {
            Options = options;
            Random = new Random(options.Seed);
            Latency = options.Latency;
            TokenLifetime = options.TokenLifetime;
            ReportsLimit = options.ReportsLimit;
            ReportsWindow = options.ReportsWindow;
            LogPageLimit = options.LogPageLimit;
            DefaultTenantId = Guid.NewGuid().ToString();
            DefaultClientId = Guid.NewGuid().ToString();
            DefaultClientSecret = "emu~" + Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '.').Replace('/', '_');
            ManagedIdentityHeader = Guid.NewGuid().ToString("N");
            ManagedIdentityClientId = Guid.NewGuid().ToString();
            RegisterApp(DefaultTenantId, DefaultClientId, DefaultClientSecret, null, AllRoles);
            RegisterApp(DefaultTenantId, ManagedIdentityClientId, null, null, AllRoles);
            ServicePrincipal sp = AddServicePrincipal("CSV to Microsoft Entra ID User Provisioning");
            DefaultServicePrincipalId = sp.Id;
            DefaultAppId = sp.AppId;
            DefaultJobId = AddJob(sp.Id).Id;
        }

        public EmulatorOptions Options { get; }

        public string DefaultTenantId { get; }

        public string DefaultClientId { get; }

        public string DefaultClientSecret { get; }

        public string DefaultServicePrincipalId { get; }

        public string DefaultAppId { get; }

        public string DefaultJobId { get; }

        /// <summary>The secret the managed-identity endpoint expects in X-IDENTITY-HEADER (IDENTITY_HEADER).</summary>
        public string ManagedIdentityHeader { get; }

        /// <summary>The client id of the system-assigned managed identity.</summary>
        public string ManagedIdentityClientId { get; }

        public TimeSpan Latency { get; set; }

        public TimeSpan TokenLifetime { get; set; }

        public FaultPlan Faults { get; set; } = new FaultPlan();

        /// <summary>Faults of provisioning log reads (GET auditLogs/provisioning), drawn after the reports limit admitted the read.</summary>
        public FaultPlan LogFaults { get; set; } = new FaultPlan();

        /// <summary>Reads of the reports per app per tenant per <see cref="ReportsWindow"/> (0: no limit).</summary>
        public int ReportsLimit { get; set; }

        public TimeSpan ReportsWindow { get; set; }

        /// <summary>The largest page of provisioning log entries, whatever $top asks.</summary>
        public int LogPageLimit { get; set; }

        /// <summary>Log reads answered with a page.</summary>
        public int LogPagesServed { get; internal set; }

        /// <summary>Log reads refused with 429 because the app went over the reports limit.</summary>
        public int LogReadsThrottled { get; internal set; }

        /// <summary>Log reads answered with an injected fault.</summary>
        public int LogReadsFaulted { get; internal set; }

        /// <summary>Draws a fault of the plan from the seeded source; call under <see cref="Gate"/>.</summary>
        internal string DrawFault(FaultPlan plan)
        {
            if (plan.Total <= 0)
            {
                return "none";
            }

            if (plan.SkipFirst > 0)
            {
                plan.SkipFirst--;
                return "none";
            }

            double draw = Random.NextDouble();
            foreach ((double share, string name) in new[] { (plan.Throttle429, "429"), (plan.Error500, "500"), (plan.Error503, "503"), (plan.DropBeforeAccept, "dropBefore"), (plan.DropAfterAccept, "dropAfter") })
            {
                if (draw < share)
                {
                    return name;
                }

                draw -= share;
            }

            return "none";
        }

        /// <summary>
        /// Puts users in the directory as an earlier run would have left them (enabled, no attributes yet), for benchmarks
        /// of a day on a large tenant: their managers resolve and their changes are updates, without sending them first.
        /// </summary>
        public void AddUsers(IEnumerable<(string ExternalId, string? ManagerExternalId)> users)
        {
            lock (Gate)
            {
                foreach ((string externalId, string? manager) in users)
                {
                    Directory[externalId] = new ProvisionedUser(externalId) { ManagerExternalId = manager };
                }
            }
        }

        /// <summary>
        /// Queues a bulk request for the job's next cycle as an accepted upload would, without HTTP, throttling or the daily
        /// quota: for benchmarks that need a large cycle quickly. Returns the operations accepted.
        /// </summary>
        /// <exception cref="ArgumentException">The document is not a bulk request the endpoint would accept.</exception>
        public int AcceptBulkRequest(string jobId, string bulkRequestJson)
        {
            (List<AcceptedOperation>? operations, string? problem) = Endpoints.BulkUploadEndpoint.ValidateBulkRequest(jobId, bulkRequestJson);
            if (problem is not null)
            {
                throw new ArgumentException(problem, nameof(bulkRequestJson));
            }

            lock (Gate)
            {
                EmulatedJob job = Jobs[jobId];
                job.Pending.AddRange(operations!);
                job.Accepted.AddRange(operations!);
            }

            return operations!.Count;
        }

        public RegisteredApp RegisterApp(string tenantId, string clientId, string? secret = null, X509Certificate2? certificate = null, params string[] roles)
        {
            var app = new RegisteredApp(tenantId, clientId, secret, certificate, roles);
            lock (Gate)
            {
                Apps[clientId] = app;
            }

            return app;
        }

        public ServicePrincipal AddServicePrincipal(string displayName)
        {
            var sp = new ServicePrincipal(Guid.NewGuid().ToString(), Guid.NewGuid().ToString(), displayName);
            lock (Gate)
            {
                ServicePrincipals[sp.Id] = sp;
            }

            return sp;
        }

        public EmulatedJob AddJob(string servicePrincipalId, string templateId = "API2AAD")
        {
            var job = new EmulatedJob($"{templateId}.{Guid.NewGuid():N}.{Guid.NewGuid()}", servicePrincipalId) { TemplateId = templateId };
            lock (Gate)
            {
                Jobs[job.Id] = job;
            }

            return job;
        }

        public void ApproveDeviceCode(string userCode)
        {
            lock (Gate)
            {
                foreach (string key in DeviceCodes.Keys.ToList())
                {
                    if (string.Equals(key.Split('|')[1], userCode, StringComparison.Ordinal))
                    {
                        var entry = DeviceCodes[key];
                        DeviceCodes[key] = entry with { Approved = true };
                        return;
                    }
                }
            }

            throw new ArgumentException($"No pending device code '{userCode}'.", nameof(userCode));
        }

        public string JobStatus(string jobId)
        {
            lock (Gate)
            {
                return Jobs[jobId].Status;
            }
        }

        public int BulkUploadCalls(string jobId)
        {
            lock (Gate)
            {
                return Jobs[jobId].BulkUploadCalls;
            }
        }

        public IReadOnlyList<AcceptedOperation> AcceptedOperations(string jobId)
        {
            lock (Gate)
            {
                return Jobs[jobId].Accepted.ToArray();
            }
        }

        public IReadOnlyDictionary<string, int> AcceptedCountByExternalId(string jobId)
        {
            lock (Gate)
            {
                return Jobs[jobId].Accepted.GroupBy(o => o.ExternalId, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Count(), StringComparer.OrdinalIgnoreCase);
            }
        }

        public IReadOnlyList<ReceivedRequest> Requests
        {
            get
            {
                lock (Gate)
                {
                    return ReceivedRequests.ToArray();
                }
            }
        }

        /// <summary>Exceptions the emulator itself threw (a bug in the emulator, not a simulated fault).</summary>
        public IReadOnlyList<string> Failures
        {
            get
            {
                lock (Gate)
                {
                    return EmulatorFailures.ToArray();
                }
            }
        }

        /// <summary>The user with this externalId as it is now (a copy), or null.</summary>
        public ProvisionedUser? FindUser(string externalId)
        {
            lock (Gate)
            {
                return Directory.TryGetValue(externalId, out ProvisionedUser? user) ? user.Copy() : null;
            }
        }

        /// <summary>Every user in the directory as it is now (copies), by externalId: what joiners, movers and leavers left.</summary>
        public IReadOnlyList<ProvisionedUser> Users
        {
            get
            {
                lock (Gate)
                {
                    return Directory.Values.OrderBy(u => u.ExternalId, StringComparer.Ordinal).Select(u => u.Copy()).ToArray();
                }
            }
        }

        /// <summary>Processes the job's pending operations now, as one cycle; nothing happens while the job is paused.</summary>
        public IReadOnlyList<JsonObject> RunCycle(string jobId)
        {
            lock (Gate)
            {
                return ProvisioningEngine.RunCycle(this, Jobs[jobId]);
            }
        }

        /// <summary>Log entries in the log.</summary>
        public int LogCount
        {
            get
            {
                lock (Gate)
                {
                    return Log.Count;
                }
            }
        }

        /// <summary>All provisioning log entries, oldest first (parsed for each call: for small logs).</summary>
        public IReadOnlyList<JsonObject> LogEntries
        {
            get
            {
                lock (Gate)
                {
                    var entries = new JsonObject[Log.Count];
                    for (int i = 0; i < entries.Length; i++)
                    {
                        entries[i] = JsonNode.Parse(Log[i].Json)!.AsObject();
                    }

                    return entries;
                }
            }
        }
    }
}
