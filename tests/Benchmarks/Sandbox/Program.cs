using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.GraphEmulator;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Scim;
using EntraInboundProvisioning.Sources;
using EntraInboundProvisioning.State;
using static EntraInboundProvisioning.Benchmarks.BenchmarkSupport;

namespace EntraInboundProvisioning.Benchmarks.Sandbox
{
    /// <summary>
    /// The sample runbook's whole day in one PowerShell process, measured against an Azure Automation cloud sandbox (400 MB
    /// of memory, 1 GB of disk, 3 hours): download the state from a leased blob, convert the day's export with the state,
    /// send the changes, wait for their outcomes and learn them into the state, upload the state. The export is an
    /// eight-level hierarchy in employee-id order (managers rarely come before their reports); the day changes 99 % movers
    /// and 1 % leavers. The Graph emulator (throttling on: 40 uploads per 5 s, 5 log reads per 10 s) and a stand-in for the
    /// state blob run in this process; the runbook runs in a child PowerShell whose temp directory is a fresh sandbox
    /// directory, sampled for its size. Prints peak memory (the child's own) and peak temp disk (export, state, journal and
    /// spill included), per phase, against the budget (350 MB, 700 MB).
    ///   dotnet run -c Release --project tests/Benchmarks/Sandbox -- [--workers 1000000] [--changes 100000]
    /// </summary>
    internal static class Program
    {
        private const double MemoryBudgetMb = 350;
        private const double DiskBudgetMb = 700;

        private static async Task<int> Main(string[] args)
        {
            int workers = int.Parse(Option(args, "--workers", "1000000"), CultureInfo.InvariantCulture);
            int changes = int.Parse(Option(args, "--changes", "100000"), CultureInfo.InvariantCulture);

            // The runbook is given the sandbox budget (350 MB, 700 MB), as it takes by default in an Automation job: it
            // checks the day before it starts and holds the .NET heap to 75 % of the memory budget. --unlimited runs it
            // without a budget, to show what the day takes when memory is plentiful.
            bool unlimited = args.Contains("--unlimited");
            string repo = FindRepository();
            string module = Path.Combine(repo, "out", "EntraInboundProvisioning", "EntraInboundProvisioning.psd1");
            if (!File.Exists(module))
            {
                Console.WriteLine("Build the module first: dotnet pwsh ./build.ps1");
                return 1;
            }

            string data = Path.Combine(repo, "tests", "Benchmarks", "Sandbox", "data");
            Directory.CreateDirectory(data);
            var clock = Stopwatch.StartNew();
            (string day0, string day1, int leavers) = Exports(data, workers, changes);
            string baseline = Baseline(data, day0, workers);
            Console.WriteLine($"Sandbox benchmark: {Environment.ProcessorCount} cores; {workers:N0} workers in the state, a day of {changes:N0} changes ({changes - leavers:N0} movers, {leavers:N0} leavers); inputs ready in {clock.Elapsed.TotalSeconds:N0} s.");
            Console.WriteLine($"  export {new FileInfo(day1).Length / 1048576.0:N1} MB, state {new FileInfo(baseline).Length / 1048576.0:N1} MB");

            string sandbox = Directory.CreateTempSubdirectory("eip-sandbox-").FullName;
            try
            {
                File.Copy(day1, Path.Combine(sandbox, "hr.csv"));
                using var blob = new BlobStandIn(File.ReadAllBytes(baseline), "sandbox-storage-token");
                await using EmulatorHost emulator = await EmulatorHost.StartAsync(new EmulatorOptions { DailyQuota = 6000, CycleDelay = TimeSpan.FromSeconds(10), Seed = 1 }).ConfigureAwait(false);

                // The directory as day 0 left it, so the day's movers are updates whose managers resolve.
                emulator.State.AddUsers(File.ReadLines(day0).Skip(1).Select(line => line.Split(',')).Select(cells => (cells[0], cells[7].Length == 0 ? null : (string?)cells[7])));
                Console.WriteLine(unlimited ? "  the runbook runs without a budget" : $"  the runbook runs with -MemoryBudgetMB {MemoryBudgetMb} -TempDiskBudgetMB {DiskBudgetMb}");
                Result result = RunDay(repo, module, sandbox, emulator, blob, unlimited);
                Report(result, emulator, blob, changes, leavers);
            }
            finally
            {
                Directory.Delete(sandbox, true);
            }

            return 0;
        }

        private sealed record Phase(string Name, long PeakRssBytes, long PeakPrivateBytes, long PeakDiskBytes, double Seconds);

        private sealed record Result(long PeakWorkingSet, long PeakPrivate, long PeakDisk, double Seconds, string? Error, IReadOnlyList<Phase> Phases, long ExportBytes);

        /// <summary>Runs the runbook in a child PowerShell with the sandbox as its temp directory, sampling its memory and the sandbox's size.</summary>
        private static Result RunDay(string repo, string module, string sandbox, EmulatorHost emulator, BlobStandIn blob, bool unlimited)
        {
            string runbook = Path.Combine(repo, "samples", "runbooks", "Invoke-InboundProvisioning.ps1");
            string mapping = Path.Combine(repo, "samples", "AttributeMapping.psd1");
            string script = "$ErrorActionPreference = 'Stop'; Import-Module '" + module + "'; "
                + "$cert = [System.Security.Cryptography.X509Certificates.X509CertificateLoader]::LoadCertificate([Convert]::FromBase64String($env:EIP_BENCH_CERT)); "
                + "$token = ConvertTo-SecureString $env:EIP_BENCH_STORAGE_TOKEN -AsPlainText -Force; "
                + "$sw = [Diagnostics.Stopwatch]::StartNew(); $failed = ''; "
                + "try { & '" + runbook + "' -Path '" + Path.Combine(sandbox, "hr.csv") + "' -AttributeMapping '" + mapping + "' -ServicePrincipalId '" + emulator.State.DefaultServicePrincipalId + "' "
                + "-StatePath '" + Path.Combine(sandbox, "hr.state") + "' -StateBlobUri '" + blob.Uri + "' -StorageAccessToken $token -DailyRequestLimit 6000 -PollInterval 00:00:10 -WaitTimeout 01:00:00 "
                + (unlimited ? string.Empty : FormattableString.Invariant($"-MemoryBudgetMB {MemoryBudgetMb} -TempDiskBudgetMB {DiskBudgetMb} "))
                + "-ConnectParameters @{ ManagedIdentity = $true; TestEndpoint = [uri]'" + emulator.BaseUri + "'; TestCertificate = $cert } | ForEach-Object { 'runbook: ' + $_ } } "
                + "catch { $failed = $_.Exception.Message + ' at ' + ($_.ScriptStackTrace -replace '\\s+', ' ') }; "
                + "$sw.Stop(); $p = [Diagnostics.Process]::GetCurrentProcess(); $p.Refresh(); "
                + "'RESULT {0} {1} {2}' -f $p.PeakWorkingSet64, $sw.Elapsed.TotalSeconds.ToString([cultureinfo]::InvariantCulture), $failed";

            (string fileName, string[] launcher) = PowerShell(repo);
            var start = new ProcessStartInfo(fileName) { WorkingDirectory = repo, UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string argument in launcher.Concat(new[] { "-NoProfile", "-NonInteractive", "-EncodedCommand", Convert.ToBase64String(Encoding.Unicode.GetBytes(script)) }))
            {
                start.ArgumentList.Add(argument);
            }

            // The sandbox's temp directory: the module spills there, and the runbook keeps its state there.
            start.Environment["TMPDIR"] = sandbox;
            start.Environment["TMP"] = sandbox;
            start.Environment["TEMP"] = sandbox;
            start.Environment["IDENTITY_ENDPOINT"] = new Uri(emulator.BaseUri, "msi/token").ToString();
            start.Environment["IDENTITY_HEADER"] = emulator.State.ManagedIdentityHeader;
            start.Environment["EIP_BENCH_CERT"] = Convert.ToBase64String(emulator.Certificate.RawData);
            start.Environment["EIP_BENCH_STORAGE_TOKEN"] = blob.Token;

            long exportBytes = new FileInfo(Path.Combine(sandbox, "hr.csv")).Length;
            var phases = new List<Phase>();
            string phase = "download, convert and send";
            long phaseRss = 0, phasePrivate = 0, phaseDisk = 0, peakDisk = 0, peakPrivate = 0;
            var phaseClock = Stopwatch.StartNew();
            object gate = new object();
            using Process process = Process.Start(start)!;
            Task<string> errors = process.StandardError.ReadToEndAsync();
            using var sampling = new CancellationTokenSource();
            Task sampler = Task.Run(async () =>
            {
                while (!sampling.IsCancellationRequested)
                {
                    (long rss, long own) = ResidentBytes(process.Id);
                    long disk = DirectorySize(sandbox);
                    lock (gate)
                    {
                        phaseRss = Math.Max(phaseRss, rss);
                        phasePrivate = Math.Max(phasePrivate, own);
                        peakPrivate = Math.Max(peakPrivate, own);
                        phaseDisk = Math.Max(phaseDisk, disk);
                        peakDisk = Math.Max(peakDisk, disk);
                    }

                    try
                    {
                        await Task.Delay(100, sampling.Token).ConfigureAwait(false);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
            });

            string? last = null;
            string? line;
            while ((line = process.StandardOutput.ReadLine()) is not null)
            {
                Console.WriteLine("  " + line);
                last = line;
                string? next = line.StartsWith("runbook: Accepted", StringComparison.Ordinal) ? "wait for and learn the outcomes"
                    : line.StartsWith("runbook: Provisioned", StringComparison.Ordinal) ? "report and upload the state" : null;
                if (next is not null)
                {
                    lock (gate)
                    {
                        phases.Add(new Phase(phase, phaseRss, phasePrivate, phaseDisk, phaseClock.Elapsed.TotalSeconds));
                        phase = next;
                        phaseRss = 0;
                        phasePrivate = 0;
                        phaseDisk = 0;
                        phaseClock.Restart();
                    }
                }
            }

            process.WaitForExit();
            sampling.Cancel();
            sampler.Wait();
            lock (gate)
            {
                phases.Add(new Phase(phase, phaseRss, phasePrivate, phaseDisk, phaseClock.Elapsed.TotalSeconds));
            }

            if (last is null || !last.StartsWith("RESULT ", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"The runbook's PowerShell ended without a result (exit {process.ExitCode}): {errors.Result}");
            }

            string[] parts = last.Split(' ', 4);
            string error = parts.Length > 3 ? parts[3].Trim() : string.Empty;
            return new Result(long.Parse(parts[1], CultureInfo.InvariantCulture), peakPrivate, peakDisk, double.Parse(parts[2], CultureInfo.InvariantCulture), error.Length == 0 ? null : error, phases, exportBytes);
        }

        private static void Report(Result result, EmulatorHost emulator, BlobStandIn blob, int changes, int leavers)
        {
            Console.WriteLine();
            Console.WriteLine($"{"phase",-36}{"seconds",9}{"peak RSS MB",13}{"private MB",12}{"peak disk MB",14}");
            foreach (Phase phase in result.Phases)
            {
                Console.WriteLine($"{phase.Name,-36}{phase.Seconds,9:F0}{phase.PeakRssBytes / 1048576.0,13:N0}{phase.PeakPrivateBytes / 1048576.0,12:N0}{phase.PeakDiskBytes / 1048576.0,14:N0}");
            }

            IReadOnlyDictionary<string, int> accepted = emulator.State.AcceptedCountByExternalId(emulator.State.DefaultJobId);
            string state = Path.Combine(Path.GetTempPath(), "eip-sandbox-uploaded.state");
            File.WriteAllBytes(state, blob.Content);
            var (info, _) = ProvisioningStateReader.Read(state);
            File.Delete(state);
            double memory = result.PeakWorkingSet / 1048576.0;
            double own = result.PeakPrivate / 1048576.0;
            double disk = result.PeakDisk / 1048576.0;
            Console.WriteLine();
            Console.WriteLine($"The day in one PowerShell: {result.Seconds:F0} s; peak working set {memory:N0} MB, of it private {own:N0} MB (budget {MemoryBudgetMb:N0} MB: working set {(memory <= MemoryBudgetMb ? "inside" : "OVER")}, private {(own <= MemoryBudgetMb ? "inside" : "OVER")}); peak temp disk {disk:N0} MB with the {result.ExportBytes / 1048576.0:N0} MB export (budget {DiskBudgetMb:N0} MB: {(disk <= DiskBudgetMb ? "inside" : "OVER")}).");
            Console.WriteLine("  (private: anonymous and shared-anonymous resident memory, what a sandbox's commit limit counts; the working set adds the mapped assemblies, shared with every .NET process)");
            Console.WriteLine($"Sent {accepted.Count:N0} record(s) ({accepted.Values.Count(c => c > 1)} twice) of the {changes:N0} changes; the uploaded state knows {info.Workers:N0} workers, {info.AwaitingOutcome:N0} awaiting an outcome, {info.PendingRetries:N0} to retry, {info.Leavers:N0} leaver(s) ({leavers:N0} today); the blob's lease is {(blob.Leased ? "still held" : "released")}; {blob.Others.Count} report(s) beside it ({string.Join(", ", blob.Others.Select(o => $"{Path.GetFileName(o.Key)}, {o.Value / 1024.0:N0} KB"))}).");
            if (result.Error is not null)
            {
                Console.WriteLine($"The runbook failed: {result.Error}");
            }
        }

        /// <summary>
        /// The child's resident memory now (Linux /proc): all of it, and its private part (anonymous and shared-anonymous
        /// pages, without the mapped assembly files); zeros where it cannot be read.
        /// </summary>
        private static (long Resident, long Private) ResidentBytes(int pid)
        {
            long resident = 0, own = 0;
            try
            {
                foreach (string line in File.ReadLines($"/proc/{pid}/status"))
                {
                    long Kilobytes() => long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
                    if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    {
                        resident = Kilobytes();
                    }
                    else if (line.StartsWith("RssAnon:", StringComparison.Ordinal) || line.StartsWith("RssShmem:", StringComparison.Ordinal))
                    {
                        own += Kilobytes();
                    }
                }
            }
            catch (IOException)
            {
                // The process ended.
            }

            return (resident, own);
        }

        private static long DirectorySize(string directory)
        {
            long total = 0;
            try
            {
                foreach (string file in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
                {
                    try
                    {
                        total += new FileInfo(file).Length;
                    }
                    catch (IOException)
                    {
                        // Gone between listing and reading.
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // A directory went away while it was listed.
            }

            return total;
        }

        /// <summary>pwsh from PATH, or the repository's own (dotnet tool) started as 'dotnet pwsh.dll' so the process is PowerShell itself.</summary>
        private static (string FileName, string[] Arguments) PowerShell(string repo)
        {
            string? onPath = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator).Select(p => Path.Combine(p, "pwsh")).FirstOrDefault(File.Exists);
            if (onPath is not null)
            {
                return (onPath, Array.Empty<string>());
            }

            var ask = new ProcessStartInfo("dotnet") { WorkingDirectory = repo, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (string argument in new[] { "pwsh", "-NoProfile", "-NonInteractive", "-Command", "$PSHOME" })
            {
                ask.ArgumentList.Add(argument);
            }

            using Process process = Process.Start(ask)!;
            string home = process.StandardOutput.ReadToEnd().Trim();
            process.WaitForExit();
            return ("dotnet", new[] { Path.Combine(home, "pwsh.dll") });
        }

        /// <summary>
        /// The day's two exports (written once): day 0, an eight-level hierarchy (each manager has up to 8 reports) in
        /// employee-id order, ids unrelated to the hierarchy; day 1, the same with movers (a new title) and leavers (rows
        /// gone; leaves of the hierarchy, so nobody's manager leaves).
        /// </summary>
        private static (string Day0, string Day1, int Leavers) Exports(string data, int workers, int changes)
        {
            int leavers = changes / 100;
            int movers = changes - leavers;
            string day0 = Path.Combine(data, $"day0-{workers}.csv");
            string day1 = Path.Combine(data, $"day1-{workers}-{changes}.csv");
            if (File.Exists(day0) && File.Exists(day1))
            {
                return (day0, day1, leavers);
            }

            var random = new Random(8);
            int[] ids = Enumerable.Range(0, workers).Select(i => 1_000_000 + i).OrderBy(_ => random.Next()).ToArray(); // ids[k]: worker k in hierarchy order
            var byId = new int[workers];
            for (int k = 0; k < workers; k++)
            {
                byId[ids[k] - 1_000_000] = k;
            }

            // Leaves are the workers with no reports: k > (workers - 2) / 8.
            int firstLeaf = (workers - 2) / 8 + 1;
            var leaving = new HashSet<int>(Enumerable.Range(firstLeaf, workers - firstLeaf).Where(k => k % 97 == 5).Take(leavers));
            var moving = new HashSet<int>(Enumerable.Range(0, workers).Where(k => k % 10 == 3 && !leaving.Contains(k)).Take(movers));
            string[] first = { "Ava", "Liam", "Noah", "Mia", "Ethan", "Zoë", "Lucas", "Amara", "Kenji", "Sofia" };
            string[] last = { "Okafor", "Lindqvist", "García", "Nguyen", "O'Brien", "Müller", "Kowalski", "Haddad", "Tanaka", "Rossi" };
            const string Header = "WorkerID,WorkerStatus,WorkerType,UserID,FirstName,LastName,FullName,ManagerID,HireDate,Department,Division,CostCenter,Company,JobTitle,StreetAddress,City,CountryCode,ZipCode,OfficePhone\n";
            using (var zero = new StreamWriter(day0, false, new UTF8Encoding(false), 1 << 16))
            using (var one = new StreamWriter(day1, false, new UTF8Encoding(false), 1 << 16))
            {
                zero.Write(Header);
                one.Write(Header);
                for (int n = 0; n < workers; n++)
                {
                    int k = byId[n];
                    int id = ids[k];
                    string manager = k == 0 ? string.Empty : ids[(k - 1) / 8].ToString(CultureInfo.InvariantCulture);
                    string f = first[k % first.Length];
                    string l = last[(k / 10) % last.Length];
                    string Row(string title) => string.Create(CultureInfo.InvariantCulture, $"{id},Active,Employee,w{id}@contoso.com,{f},{l},{f} {l},{manager},20{10 + k % 14:D2}-0{1 + k % 9}-15,Dept {k % 40},Division {k % 12},CC{1000 + k % 50},Contoso,{title},{k % 900 + 1} Harbour Road,City {k % 300},US,{10_000 + k % 89_999},+1-555-{k % 10_000:D4}\n");
                    string title = $"Title {k % 40}";
                    zero.Write(Row(title));
                    if (!leaving.Contains(k))
                    {
                        one.Write(Row(moving.Contains(k) ? "Senior " + title : title));
                    }
                }
            }

            return (day0, day1, leavers);
        }

        /// <summary>
        /// The state after day 0 (written once): every worker converted with the sample mapping (its Core mirror, which
        /// writes the same records as samples/AttributeMapping.psd1), accepted a day ago, and its cycle a success.
        /// </summary>
        private static string Baseline(string data, string day0, int workers)
        {
            string path = Path.Combine(data, $"baseline-{workers}.state");
            if (File.Exists(path))
            {
                return path;
            }

            DateTimeOffset yesterday = DateTimeOffset.UtcNow.AddDays(-1);
            using (RunState state = RunState.Acquire(path, Guid.NewGuid()))
            {
                using (var converter = new BulkRequestConverter(SampleMapping(), new ConversionOptions(), state, d =>
                {
                    if (d.Severity == DiagnosticSeverity.Error)
                    {
                        throw new InvalidOperationException(d.Message);
                    }
                }))
                {
                    if (converter.WantsIndex)
                    {
                        using var index = new CsvRecordReader(day0);
                        foreach (CsvRecord record in index.ReadRecords())
                        {
                            converter.Index(record);
                        }

                        converter.EndIndex();
                    }

                    using var reader = new CsvRecordReader(day0);
                    foreach (CsvRecord record in reader.ReadRecords())
                    {
                        converter.Add(record);
                        while (converter.TryTake(out BulkRequest? request))
                        {
                            state.RecordAccepted(request!, yesterday);
                        }
                    }

                    foreach (BulkRequest request in converter.CompleteAndTakeAll())
                    {
                        state.RecordAccepted(request, yesterday);
                    }
                }

                var learner = new OutcomeLearner(state);
                foreach (KeyValuePair<string, DateTimeOffset> worker in learner.AwaitingOutcome(DateTimeOffset.MinValue).ToList())
                {
                    state.RecordOutcome(worker.Key, failed: false, yesterday.AddMinutes(30));
                }

                state.Commit();
            }

            return path;
        }
    }
}
