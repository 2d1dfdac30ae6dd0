using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using EntraInboundProvisioning.Reports;
using EntraInboundProvisioning.State;
using static EntraInboundProvisioning.Benchmarks.BenchmarkSupport;

namespace EntraInboundProvisioning.Benchmarks
{
    /// <summary>
    /// How long Export-ProvisioningReport takes on a large state, and how big the page gets: a state of 1,000,000
    /// workers with 400 runs on record (a year and more of daily runs), 5,000 workers whose last cycle failed under six
    /// error codes, and 2,000 leavers in the last run. Targets: under 2 seconds, a page under 1 MB. The Core path is
    /// timed in a fresh process (JIT included); the cmdlet is timed in PowerShell when the module is built.
    /// Usage: dotnet run -c Release --project tests/Benchmarks/Report [-- --workers N --runs N]
    /// </summary>
    internal static class Program
    {
        private const double TargetSeconds = 2.0;
        private const long TargetBytes = 1L << 20;

        private static readonly string[] Codes =
        {
            "AzureActiveDirectoryInvalidUserPrincipalName: The userPrincipalName is not valid.",
            "InvalidDateTimeFormat: Not a date and time with an offset.",
            "UnableToResolveReferenceAttributeValue: the manager reference could not be set in this cycle.",
            "AzureActiveDirectoryConflictEntryExists: Another object has the same value.",
            "AttributeValueTooLong: the value is too long.",
            "SystemForCrossDomainIdentityManagementServiceIncompatible: the request could not be processed.",
        };

        private static int Main(string[] args)
        {
            if (args.Length > 1 && args[0] == "core")
            {
                return Core(args[1], args[2]);
            }

            if (args.Length > 1 && args[0] == "phases")
            {
                // Where the time goes: reading the state, then the whole report (read again), then the page.
                var phase = Stopwatch.StartNew();
                ProvisioningStateReader.Load(args[1]);
                Console.WriteLine($"load {phase.Elapsed.TotalSeconds:N2} s");
                phase.Restart();
                ProvisioningStateReader.Load(args[1], indexed: false);
                Console.WriteLine($"load, not indexed {phase.Elapsed.TotalSeconds:N2} s");
                phase.Restart();
                ProvisioningReport report = ProvisioningReport.Read(args[1]);
                Console.WriteLine($"read {phase.Elapsed.TotalSeconds:N2} s");
                phase.Restart();
                using (var writer = new StringWriter())
                {
                    ReportPage.Write(report, writer);
                }

                Console.WriteLine($"page {phase.Elapsed.TotalSeconds:N2} s");
                return 0;
            }

            int workers = Option(args, "--workers", 1_000_000);
            int runs = Option(args, "--runs", 400);
            string directory = Path.Combine(Path.GetTempPath(), "eip-report-benchmark");
            Directory.CreateDirectory(directory);
            string state = Path.Combine(directory, $"state-{workers}-{runs}.state");
            var clock = Stopwatch.StartNew();
            if (!File.Exists(state))
            {
                MakeState(state, workers, runs);
            }

            Console.WriteLine($"Report benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"state: {workers:N0} workers, {runs} runs, {new FileInfo(state).Length / 1048576.0:N1} MB (made in {clock.Elapsed.TotalSeconds:N1} s)"));
            Console.WriteLine($"{"path",-30}{"seconds",10}{"page KB",10}{"peak MB",10}{"vs 2 s",9}{"vs 1 MB",9}");

            string page = Path.Combine(directory, "core.html");
            (double seconds, long peak) = Child("dotnet", $"\"{typeof(Program).Assembly.Location}\" core \"{state}\" \"{page}\"");
            Report("Core, fresh process", seconds, new FileInfo(page).Length, peak);

            string repo = FindRepository();
            string module = Path.Combine(repo, "out", "EntraInboundProvisioning", "EntraInboundProvisioning.psd1");
            if (File.Exists(module) && File.Exists(Path.Combine(repo, ".config", "dotnet-tools.json")))
            {
                string cmdletPage = Path.Combine(directory, "cmdlet.html");
                string script = $"$ErrorActionPreference='Stop'; Import-Module '{module}'; $sw=[Diagnostics.Stopwatch]::StartNew(); Export-ProvisioningReport '{state}' -Path '{cmdletPage}' -Force | Out-Null; $sw.Stop(); $p=[Diagnostics.Process]::GetCurrentProcess(); $p.Refresh(); '{{0}} {{1}}' -f $sw.Elapsed.TotalSeconds, $p.PeakWorkingSet64";
                (double cmdletSeconds, long cmdletPeak) = Child("dotnet", $"pwsh -NoProfile -NonInteractive -Command \"{script}\"", repo);
                Report("Export-ProvisioningReport", cmdletSeconds, new FileInfo(cmdletPage).Length, cmdletPeak);
            }
            else
            {
                Console.WriteLine("  (cmdlet path skipped: build the module with ./build.ps1, and run dotnet tool restore)");
            }

            return 0;
        }

        /// <summary>The Core path in this process: read the state, build the report, write the page. Prints "seconds peakBytes".</summary>
        private static int Core(string state, string page)
        {
            var clock = Stopwatch.StartNew();
            ProvisioningReport report = ProvisioningReport.Read(state);
            using (var writer = new StreamWriter(page))
            {
                ReportPage.Write(report, writer);
            }

            clock.Stop();
            using Process self = Process.GetCurrentProcess();
            self.Refresh();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{clock.Elapsed.TotalSeconds} {self.PeakWorkingSet64}"));
            return 0;
        }

        /// <summary>
        /// A state as a year of daily runs leaves it: every worker accepted, most active, some left; failures under the
        /// common codes; the last run's leavers accepted inside its window; a history of daily runs.
        /// </summary>
        private static void MakeState(string path, int workers, int runs)
        {
            var random = new Random(7);
            DateTimeOffset first = new DateTimeOffset(2025, 10, 1, 6, 0, 0, TimeSpan.Zero);
            DateTimeOffset lastStart = first.AddDays(runs - 1);
            var table = new WorkerStateTable();
            for (int i = 0; i < workers; i++)
            {
                bool leaverOfLastRun = i % (workers / 2000) == 1;
                bool left = leaverOfLastRun || i % 50 == 0;
                long at = leaverOfLastRun ? lastStart.AddSeconds(30).ToUnixTimeSeconds() : first.AddDays(random.Next(runs - 1)).ToUnixTimeSeconds();
                WorkerStateFlags flags = left ? WorkerStateFlags.Left : WorkerStateFlags.Active;
                int position = table.Upsert($"E{i:D7}", $"worker{i}@contoso.com", (ulong)random.NextInt64(), (ulong)random.NextInt64(), at, flags, 0);
                if (i % (workers / 5000) == 3)
                {
                    table[position].Flags |= WorkerStateFlags.Retry;
                    table.SetLastError(position, Codes[random.Next(Codes.Length)]);
                }
            }

            var header = StateHeader.New();
            header.BindJob("00000000-0000-0000-0000-000000000001", "API2AAD.benchmark");
            header.HistoryLimit = runs;
            for (int day = 0; day < runs; day++)
            {
                DateTimeOffset start = first.AddDays(day);
                bool big = day % 97 == 50;
                var plan = new ConversionSummary
                {
                    StatePath = path,
                    RecordsRead = workers,
                    Joiners = random.Next(5, 60),
                    Movers = big ? 150_000 : random.Next(20, 400),
                    Leavers = day == runs - 1 ? 2000 : random.Next(0, 40),
                    Retries = random.Next(0, 30),
                    RecordsWithErrors = random.Next(0, 5),
                    LeaverThreshold = "5%",
                    LeaversInferred = true,
                    DailyRequestLimit = 2000,
                };
                long records = plan.Joiners + plan.Movers + plan.Leavers + plan.Retries;
                int requests = (int)Math.Min(2000, (records + 49) / 50);
                header.AddRun(new RunRecord
                {
                    StartedAt = start,
                    CompletedAt = start.AddMinutes(Math.Max(1, requests / 480.0)),
                    Plan = plan,
                    Requests = requests,
                    Accepted = requests,
                    AcceptedRecords = Math.Min(records, requests * 50L),
                    Calls = requests,
                    CycleFailures = random.Next(0, 25),
                    CycleSuccesses = records,
                    Stopped = requests == 2000,
                });
            }

            header.SavedAt = DateTimeOffset.UtcNow;
            header.Flush();
            StateFile.Write(path, table, header.Json);
        }

        private static (double Seconds, long PeakBytes) Child(string fileName, string arguments, string? workingDirectory = null)
        {
            var start = new ProcessStartInfo(fileName, arguments) { RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory };
            using Process process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            string[] parts = output.Trim().Split('\n').Last().Trim().Split(' ');
            if (process.ExitCode != 0 || parts.Length < 2)
            {
                throw new InvalidOperationException($"The scenario failed (exit {process.ExitCode}): {output}");
            }

            return (double.Parse(parts[0], CultureInfo.InvariantCulture), long.Parse(parts[1], CultureInfo.InvariantCulture));
        }

        private static void Report(string path, double seconds, long bytes, long peak)
            => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{path,-30}{seconds,10:N2}{bytes / 1024.0,10:N0}{peak / 1048576.0,10:N0}{seconds / TargetSeconds,9:0.00}{(double)bytes / TargetBytes,9:0.00}"));

        private static int Option(string[] args, string name, int fallback)
        {
            int at = Array.IndexOf(args, name);
            return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1], CultureInfo.InvariantCulture) : fallback;
        }
    }
}
