using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Security;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Auth;
using EntraInboundProvisioning.Graph;
using EntraInboundProvisioning.GraphEmulator;
using EntraInboundProvisioning.Logs;
using EntraInboundProvisioning.State;
using static EntraInboundProvisioning.Benchmarks.BenchmarkSupport;

namespace EntraInboundProvisioning.Benchmarks.CycleLog
{
    /// <summary>
    /// Learning the outcomes of a large provisioning cycle into a run state, against the Graph emulator with the reports
    /// limit on (5 reads per 10 seconds per app per tenant, 429 with Retry-After beyond) and pages of 1,000 entries. The
    /// emulator runs in this process; each scenario runs in a child process (the Core path, or Get-ProvisioningCycleLog in
    /// PowerShell), so the peak memory printed is the reader's own. Prints pages, seconds, the seconds spent waiting for
    /// the limit, peak memory, records/s and whether every outcome was learned exactly once.
    ///   dotnet run -c Release --project tests/Benchmarks/CycleLog -- [--records 100000,200000] [--scenarios core,learn,wait,faults,records] [--window 10]
    /// </summary>
    internal static class Program
    {
        private const double MemoryTargetMb = 400;
        private const string LocalPowerShell = "dotnet pwsh";

        private static async Task<int> Main(string[] args)
        {
            if (args.Length > 0 && args[0] == "core-learn")
            {
                return await CoreLearn(args[1], args[2], args[3]).ConfigureAwait(false);
            }

            int[] sizes = Option(args, "--records", "100000,200000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
            string[] scenarios = Option(args, "--scenarios", "core,learn,wait,faults,records").Split(',');
            double window = double.Parse(Option(args, "--window", "10"), CultureInfo.InvariantCulture);
            string repo = FindRepository();
            string module = Path.Combine(repo, "out", "EntraInboundProvisioning", "EntraInboundProvisioning.psd1");
            string? pwsh = File.Exists(module) ? FindOnPath("pwsh") ?? LocalPowerShell : null;
            string work = Directory.CreateTempSubdirectory("eip-cyclelog-").FullName;
            Console.WriteLine($"Cycle-log benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}; reports limit 5 reads per {window:0.#} s, pages of 1,000 entries.");
            Console.WriteLine($"{"scenario",-40}{"records",9}{"pages",7}{"seconds",9}{"waited",8}{"retried",8}{"peak MB",9}{"records/s",11}{"learned",10}  check");
            try
            {
                foreach (int size in sizes)
                {
                    await using var cycle = await Cycle.CreateAsync(size, work, window).ConfigureAwait(false);
                    foreach (string scenario in scenarios)
                    {
                        if (scenario != "core" && pwsh is null)
                        {
                            Console.WriteLine($"  ({scenario} skipped: build the module first with ./build.ps1)");
                            continue;
                        }

                        if (size > 100_000 && scenario is "faults" or "records" or "wait")
                        {
                            continue; // the scale of memory is shown by the learning scenarios; these repeat at 100,000
                        }

                        await cycle.RunAsync(scenario, pwsh, module, repo).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                Directory.Delete(work, true);
            }

            Console.WriteLine($"  memory target: under {MemoryTargetMb} MB peak; time target: close to pages × the window / 5.");
            return 0;
        }

        /// <summary>
        /// A child: reads the most recent cycle with Core's RecentCycles and learns every entry into the state, as
        /// Get-ProvisioningCycleLog -StatePath does. Prints pages, seconds, waited seconds, retries, peak bytes, learned.
        /// </summary>
        private static async Task<int> CoreLearn(string baseUri, string jobId, string statePath)
        {
            var clock = Stopwatch.StartNew();
            byte[] certificate = Convert.FromBase64String(Environment.GetEnvironmentVariable("EIP_BENCH_CERT")!);
            using X509Certificate2 trusted = X509CertificateLoader.LoadCertificate(certificate);
            CloudEndpoints endpoints = CloudEndpoints.ForTest(new Uri(baseUri));
            var secret = new SecureString();
            foreach (char c in Environment.GetEnvironmentVariable("EIP_BENCH_SECRET")!)
            {
                secret.AppendChar(c);
            }

            var options = new AuthenticationOptions { Mode = AuthenticationMode.ClientSecret, TenantId = Environment.GetEnvironmentVariable("EIP_BENCH_TENANT"), ClientId = Environment.GetEnvironmentVariable("EIP_BENCH_CLIENT"), ClientSecret = secret, Endpoints = endpoints };
            AccessTokenProvider tokens = AccessTokenProvider.Create(options, () => new HttpClient(GraphClient.CreateHandler(endpoints, trusted)));
            using var graph = new GraphClient(endpoints, tokens, GraphClient.CreateHandler(endpoints, trusted));
            var reads = new GraphReadOptions { ReportsWindow = TimeSpan.FromSeconds(double.Parse(Environment.GetEnvironmentVariable("EIP_BENCH_WINDOW")!, CultureInfo.InvariantCulture)) };
            var reader = new ProvisioningLogReader(new ProvisioningApi(graph, reads));
            using RunState state = RunState.Acquire(statePath, Guid.NewGuid());
            var learner = new OutcomeLearner(state);
            var read = new RecentCycles(reader, new ProvisioningLogQuery { JobId = jobId }, 1);
            while (await read.NextAsync(CancellationToken.None).ConfigureAwait(false) is RecentCyclesStep step)
            {
                foreach (ProvisioningLogEntry entry in step.Entries)
                {
                    learner.Learn(entry);
                }
            }

            state.Commit();
            using Process self = Process.GetCurrentProcess();
            self.Refresh();
            Console.WriteLine(FormattableString.Invariant($"{reader.PagesRead} {clock.Elapsed.TotalSeconds} {reader.Tally.WaitedForLimit.TotalSeconds} {reader.Tally.Retries} {self.PeakWorkingSet64} {learner.Learned}"));
            return 0;
        }

        /// <summary>One cycle of N records in the emulator and a state that accepted them, copied fresh for each scenario.</summary>
        private sealed class Cycle : IAsyncDisposable
        {
            private readonly EmulatorHost _emulator;
            private readonly int _records;
            private readonly string _pristine;
            private readonly string _work;
            private readonly double _window;
            private readonly DateTimeOffset _accepted;
            private readonly int _failures;

            private Cycle(EmulatorHost emulator, int records, string pristine, string work, double window, DateTimeOffset accepted, int failures)
            {
                _emulator = emulator;
                _records = records;
                _pristine = pristine;
                _work = work;
                _window = window;
                _accepted = accepted;
                _failures = failures;
            }

            private string Job => _emulator.State.DefaultJobId;

            /// <summary>
            /// The emulator with the reports limit on; a state with N workers accepted; the same N operations accepted by the
            /// emulator and processed in one cycle (1 % fail: a userName that is not a UPN).
            /// </summary>
            public static async Task<Cycle> CreateAsync(int records, string work, double window)
            {
                var clock = Stopwatch.StartNew();
                EmulatorHost emulator = await EmulatorHost.StartAsync(new EmulatorOptions { ReportsWindow = TimeSpan.FromSeconds(window), Seed = 3 }).ConfigureAwait(false);
                string pristine = Path.Combine(work, $"pristine-{records}.state");
                DateTimeOffset accepted = DateTimeOffset.UtcNow.AddSeconds(-5);
                int failures = 0;
                using (RunState state = RunState.Acquire(pristine, Guid.NewGuid()))
                {
                    for (int start = 0; start < records; start += 50)
                    {
                        var json = new StringBuilder("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"],\"Operations\":[");
                        for (int i = start; i < Math.Min(records, start + 50); i++)
                        {
                            bool fails = i % 100 == 42;
                            failures += fails ? 1 : 0;
                            string upn = fails ? $"w{i} not a upn" : $"w{i}@contoso.com";
                            json.Append(i == start ? string.Empty : ",").Append(CultureInfo.InvariantCulture, $"{{\"method\":\"POST\",\"bulkId\":\"b{i}\",\"path\":\"/Users\",\"data\":{{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"externalId\":\"W{i:D7}\",\"userName\":\"{upn}\",\"displayName\":\"Worker {i}\",\"title\":\"Title {i % 40}\",\"active\":true}}}}");
                        }

                        string request = json.Append("]}").ToString();
                        state.RecordAccepted(request, accepted);
                        emulator.State.AcceptBulkRequest(emulator.State.DefaultJobId, request);
                    }

                    state.Commit();
                }

                emulator.State.RunCycle(emulator.State.DefaultJobId);
                Console.WriteLine($"-- {records:N0} records: state of {new FileInfo(pristine).Length / 1048576.0:N1} MB, one cycle of {emulator.State.LogCount:N0} entries ({failures:N0} failures), ready in {clock.Elapsed.TotalSeconds:N0} s");
                return new Cycle(emulator, records, pristine, work, window, accepted, failures);
            }

            public async Task RunAsync(string scenario, string? pwsh, string module, string repo)
            {
                string state = Path.Combine(_work, $"{scenario}-{_records}.state");
                File.Copy(_pristine, state, overwrite: true);
                int pagesBefore = _emulator.State.LogPagesServed;
                int throttledBefore = _emulator.State.LogReadsThrottled;
                _emulator.State.LogFaults = scenario == "faults"
                    ? new FaultPlan { Throttle429 = 0.05, Error503 = 0.05, DropBeforeAccept = 0.05, DropAfterAccept = 0.05 }
                    : new FaultPlan();
                await Task.Delay(TimeSpan.FromSeconds(_window)).ConfigureAwait(false); // the last scenario's reads leave the window
                string name;
                int wanted = _records;
                (int Pages, double Seconds, double Waited, int Retried, long Peak, long Learned, long Written) result;
                switch (scenario)
                {
                    case "core":
                        name = "Core: RecentCycles + OutcomeLearner";
                        result = Child(Environment.ProcessPath!, $"\"{typeof(Program).Assembly.Location}\" core-learn {_emulator.BaseUri} {Job} \"{state}\"", viaDotnet: true, core: true);
                        break;
                    case "learn":
                        name = "Get-ProvisioningCycleLog -StatePath";
                        result = Child(pwsh!, Script(module, $"Get-ProvisioningCycleLog -ServicePrincipalId $sp -StatePath '{state}' -Verbose 4>&1 | ForEach-Object {{ if ($_ -is [System.Management.Automation.VerboseRecord]) {{ $verbose.Add($_.Message) }} else {{ $written++ }} }}"), viaDotnet: false, core: false);
                        break;
                    case "faults":
                        name = "  the same, 20 % of reads faulted";
                        result = Child(pwsh!, Script(module, $"Get-ProvisioningCycleLog -ServicePrincipalId $sp -StatePath '{state}' -Verbose 4>&1 | ForEach-Object {{ if ($_ -is [System.Management.Automation.VerboseRecord]) {{ $verbose.Add($_.Message) }} else {{ $written++ }} }}"), viaDotnet: false, core: false);
                        break;
                    case "wait":
                        name = "Get-ProvisioningCycleLog -Wait -StatePath";
                        string since = _accepted.AddMinutes(-1).ToString("o", CultureInfo.InvariantCulture);
                        result = Child(pwsh!, Script(module, $"Get-ProvisioningCycleLog -ServicePrincipalId $sp -Wait -StatePath '{state}' -Since '{since}' -Timeout 01:00:00 -Verbose 4>&1 | ForEach-Object {{ if ($_ -is [System.Management.Automation.VerboseRecord]) {{ $verbose.Add($_.Message) }} else {{ $written++ }} }}"), viaDotnet: false, core: false);
                        break;
                    case "records":
                        wanted = 1000;
                        name = "Get-ProvisioningCycleLog -ExternalId (1,000)";
                        string ids = string.Join(",", Enumerable.Range(0, 1000).Select(i => $"'W{i * (_records / 1000):D7}'"));
                        result = Child(pwsh!, Script(module, $"$ids = @({ids}); Get-ProvisioningCycleLog -ServicePrincipalId $sp -ExternalId $ids -StatePath '{state}' -Verbose 4>&1 | ForEach-Object {{ if ($_ -is [System.Management.Automation.VerboseRecord]) {{ $verbose.Add($_.Message) }} else {{ $written++ }} }}"), viaDotnet: false, core: false);
                        break;
                    default:
                        throw new ArgumentException($"Unknown scenario '{scenario}'.", nameof(scenario));
                }

                int pages = _emulator.State.LogPagesServed - pagesBefore;
                int throttled = _emulator.State.LogReadsThrottled - throttledBefore;
                var (info, _) = ProvisioningStateReader.Read(state);
                bool exact = result.Learned == wanted && (scenario is "core" or "learn" or "faults" || result.Written == wanted);
                bool learnedAll = scenario == "records" ? info.AwaitingOutcome == _records - wanted : info.AwaitingOutcome == 0;
                int expectedRetries = scenario == "records" ? Enumerable.Range(0, 1000).Count(i => (i * (_records / 1000)) % 100 == 42) : _failures;
                string check = (exact && learnedAll && info.PendingRetries == expectedRetries ? "every outcome once" : $"learned {result.Learned:N0}, written {result.Written:N0}, awaiting {info.AwaitingOutcome:N0}, retries {info.PendingRetries:N0} of {expectedRetries:N0}")
                    + (throttled > 0 ? $"; {throttled} read(s) throttled" : string.Empty)
                    + (result.Peak / 1048576.0 > MemoryTargetMb ? "; over the memory target" : string.Empty);
                Console.WriteLine($"{name,-40}{wanted,9:N0}{pages,7}{result.Seconds,9:F1}{result.Waited,8:F1}{result.Retried,8}{result.Peak / 1048576.0,9:N0}{wanted / result.Seconds,11:N0}{result.Learned,10:N0}  {check}");
            }

            /// <summary>Connects to the emulator (secret and certificate from the environment), runs the command, prints the numbers.</summary>
            private string Script(string module, string command)
                => "$ErrorActionPreference='Stop'; Import-Module '" + module + "'; "
                    + "$cert = [System.Security.Cryptography.X509Certificates.X509CertificateLoader]::LoadCertificate([Convert]::FromBase64String($env:EIP_BENCH_CERT)); "
                    + $"Connect-EntraProvisioning -TenantId $env:EIP_BENCH_TENANT -ClientId $env:EIP_BENCH_CLIENT -ClientSecret (ConvertTo-SecureString $env:EIP_BENCH_SECRET -AsPlainText -Force) -TestEndpoint '{_emulator.BaseUri}' -TestCertificate $cert -TestReportsWindow ([timespan]::FromSeconds({_window.ToString(CultureInfo.InvariantCulture)})) | Out-Null; "
                    + $"$sp = '{_emulator.State.DefaultServicePrincipalId}'; $verbose = [Collections.Generic.List[string]]::new(); $written = 0; $sw = [Diagnostics.Stopwatch]::StartNew(); "
                    + command + "; $sw.Stop(); "
                    + "$summary = $verbose | Where-Object { $_ -like 'Read *' } | Select-Object -Last 1; $learned = $verbose | Where-Object { $_ -like 'State *' } | Select-Object -Last 1; "
                    + "$pages = if ($summary -match '^Read ([\\d,]+) page') { $Matches[1] -replace ',', '' } else { -1 }; "
                    + "$waited = if ($summary -match '([\\d.]+) s waiting for the reports limit') { $Matches[1] } else { -1 }; "
                    + "$retried = if ($summary -match '([\\d,]+) read\\(s\\) retried') { $Matches[1] -replace ',', '' } else { -1 }; "
                    + "$n = if ($learned -match 'learned ([\\d,]+) outcome') { $Matches[1] -replace ',', '' } else { -1 }; "
                    + "$p = [Diagnostics.Process]::GetCurrentProcess(); $p.Refresh(); "
                    + "'{0} {1} {2} {3} {4} {5} {6}' -f $pages, $sw.Elapsed.TotalSeconds.ToString([cultureinfo]::InvariantCulture), $waited, $retried, $p.PeakWorkingSet64, $n, $written";

            private (int Pages, double Seconds, double Waited, int Retried, long Peak, long Learned, long Written) Child(string fileName, string arguments, bool viaDotnet, bool core)
            {
                ProcessStartInfo start;
                if (fileName == LocalPowerShell)
                {
                    start = new ProcessStartInfo("dotnet") { WorkingDirectory = FindRepository() };
                    start.ArgumentList.Add("pwsh");
                }
                else
                {
                    start = new ProcessStartInfo(viaDotnet ? "dotnet" : fileName);
                }

                if (core)
                {
                    start.Arguments = arguments.Substring(arguments.IndexOf('"', StringComparison.Ordinal));
                }
                else
                {
                    foreach (string argument in new[] { "-NoProfile", "-NonInteractive", "-EncodedCommand", Convert.ToBase64String(Encoding.Unicode.GetBytes(arguments)) })
                    {
                        start.ArgumentList.Add(argument);
                    }
                }

                // The emulator's test secret and certificate reach the child through its environment, never its command line.
                start.Environment["EIP_BENCH_CERT"] = Convert.ToBase64String(_emulator.Certificate.RawData);
                start.Environment["EIP_BENCH_SECRET"] = _emulator.State.DefaultClientSecret;
                start.Environment["EIP_BENCH_TENANT"] = _emulator.State.DefaultTenantId;
                start.Environment["EIP_BENCH_CLIENT"] = _emulator.State.DefaultClientId;
                start.Environment["EIP_BENCH_WINDOW"] = _window.ToString(CultureInfo.InvariantCulture);
                start.RedirectStandardOutput = true;
                start.RedirectStandardError = true;
                start.UseShellExecute = false;
                using Process process = Process.Start(start)!;
                Task<string> errors = process.StandardError.ReadToEndAsync();
                string output = process.StandardOutput.ReadToEnd();
                process.WaitForExit();
                string last = output.Trim().Split('\n').Last().Trim();
                string[] parts = last.Split(' ');
                if (process.ExitCode != 0 || parts.Length < 6)
                {
                    throw new InvalidOperationException($"Scenario failed (exit {process.ExitCode}): {output} {errors.Result}");
                }

                long Number(int i) => parts.Length > i ? long.Parse(parts[i], CultureInfo.InvariantCulture) : -1;
                return (int.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture), double.Parse(parts[2], CultureInfo.InvariantCulture), int.Parse(parts[3], CultureInfo.InvariantCulture), Number(4), Number(5), core ? Number(5) : Number(6));
            }

            public ValueTask DisposeAsync() => _emulator.DisposeAsync();
        }
    }
}
