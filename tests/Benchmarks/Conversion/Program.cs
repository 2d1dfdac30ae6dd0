using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Scim;
using EntraInboundProvisioning.Sources;
using EntraInboundProvisioning.State;
using static EntraInboundProvisioning.Benchmarks.BenchmarkSupport;

namespace EntraInboundProvisioning.Benchmarks
{
    /// <summary>
    /// Conversion benchmark: records/s and peak memory of the Core path, the ConvertTo-ScimBulkRequest -Path
    /// path and the Import-Csv | pipeline path, on synthetic rows shaped like samples/hr-workers.csv with the
    /// sample mapping; then the cost of sending what the admin meant (the last row of a repeated worker, managers
    /// before their reports) on an export of an eight-level hierarchy in employee-id order, next to the first-row,
    /// input-order conversion the module did before. Each scenario runs in its own process so its peak working set
    /// is its own.
    ///   dotnet run -c Release --project tests/Benchmarks/Conversion -- --rows 100000 [--rows 1000000] [--core-only] [--no-ordering]
    /// </summary>
    internal static class Program
    {
        // Issue targets on one core of the build machines.
        private const double CoreTarget = 150_000;
        private const double PathTarget = 50_000;
        private const double PipelineTarget = 15_000;
        private const double PathMemoryTargetMb = 300;
        private const double DeltaPathTarget = 100_000;
        private const double DeltaMemoryTargetMb = 400;
        private const double Csv2ScimReference = 1_100; // Microsoft's sample script, measured on these machines.

        private static int Main(string[] args)
        {
            if (args.Length > 0 && args[0] == "core-run")
            {
                return CoreRun(args[1], warm: args.Contains("warm"), asBefore: args.Contains("as-before"));
            }

            if (args.Length > 0 && args[0] == "delta-run")
            {
                return DeltaRun(args[1], args[2], accept: args.Contains("accept"));
            }

            int[] rows = args.Select((a, i) => (a, i)).Where(p => p.a == "--rows" && p.i + 1 < args.Length).Select(p => int.Parse(args[p.i + 1], CultureInfo.InvariantCulture)).ToArray();
            if (rows.Length == 0)
            {
                rows = new[] { 100_000, 1_000_000 };
            }

            bool coreOnly = args.Contains("--core-only");
            string repo = FindRepository();
            string module = Path.Combine(repo, "out", "EntraInboundProvisioning", "EntraInboundProvisioning.psd1");
            string mapping = Path.Combine(repo, "samples", "AttributeMapping.psd1");
            string? pwsh = coreOnly ? null : FindOnPath("pwsh") ?? (File.Exists(Path.Combine(repo, ".config", "dotnet-tools.json")) ? LocalPowerShell : null);

            Console.WriteLine($"Conversion benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}");
            Console.WriteLine($"{"scenario",-28}{"rows",12}{"seconds",10}{"records/s",12}{"peak MB",10}{"vs target",11}{"vs CSV2SCIM",13}");
            foreach (int count in rows)
            {
                string file = Synthetic(repo, count);
                Report("Core, cold process", count, Child(Environment.ProcessPath!, $"\"{typeof(Program).Assembly.Location}\" core-run \"{file}\"", viaDotnet: true), CoreTarget, null);
                Report("Core, JIT warmed", count, Child(Environment.ProcessPath!, $"\"{typeof(Program).Assembly.Location}\" core-run \"{file}\" warm", viaDotnet: true), CoreTarget, null);
                if (pwsh is null)
                {
                    Console.WriteLine("  (cmdlet paths skipped: " + (coreOnly ? "--core-only" : "no pwsh on PATH and no local tool manifest") + ")");
                    continue;
                }

                if (!File.Exists(module))
                {
                    Console.WriteLine("  (cmdlet paths skipped: build the module first with ./build.ps1)");
                    continue;
                }

                string common = $"$ErrorActionPreference='Stop'; Import-Module '{module}'; $sw=[Diagnostics.Stopwatch]::StartNew();";
                string tail = "$sw.Stop(); $p=[Diagnostics.Process]::GetCurrentProcess(); $p.Refresh(); '{0} {1} {2}' -f $n, $sw.Elapsed.TotalSeconds, $p.PeakWorkingSet64";
                Report("ConvertTo -Path", count, Child(pwsh, $"-NoProfile -NonInteractive -Command \"{common} $n = (ConvertTo-ScimBulkRequest -Path '{file}' -AttributeMapping '{mapping}' | Measure-Object -Property OperationCount -Sum).Sum; {tail}\"", false), PathTarget, PathMemoryTargetMb);
                if (count <= 200_000)
                {
                    Report("Import-Csv | ConvertTo", count, Child(pwsh, $"-NoProfile -NonInteractive -Command \"{common} $n = (Import-Csv '{file}' | ConvertTo-ScimBulkRequest -AttributeMapping '{mapping}' | Measure-Object -Property OperationCount -Sum).Sum; {tail}\"", false), PipelineTarget, null);
                }
            }

            if (!args.Contains("--no-ordering"))
            {
                Ordering(repo, rows.Max(), pwsh is not null && File.Exists(module) ? pwsh : null, module, mapping);
            }

            if (!args.Contains("--no-delta"))
            {
                Delta(repo, rows.Max(), pwsh is not null && File.Exists(module) ? pwsh : null, module, mapping);
            }

            return 0;
        }

        /// <summary>
        /// Daily runs with a state: the state of a first run of the whole export, then the next day's export with
        /// 0.5 % movers and 0.1 % leavers, converted with the state (records/s, peak memory), and the same export
        /// again once its changes were accepted (it must send nothing).
        /// </summary>
        private static void Delta(string repo, int rows, string? pwsh, string module, string mapping)
        {
            string baseline = Synthetic(repo, rows);
            string nextDay = NextDay(baseline);
            string directory = Path.Combine(repo, "tests", "Benchmarks", "Conversion", "data");
            string state = Path.Combine(directory, $"delta-{rows}.state");
            foreach (string leftover in Directory.GetFiles(directory, $"delta-{rows}.state*"))
            {
                File.Delete(leftover);
            }

            string self = $"\"{typeof(Program).Assembly.Location}\"";
            Console.WriteLine();
            Console.WriteLine($"Daily runs with a state: {rows:N0} workers; the next day 0.5 % movers and 0.1 % leavers");
            Console.WriteLine($"{"scenario",-44}{"seconds",9}{"records/s",11}{"peak MB",9}{"requests",10}{"joiners",11}{"movers",9}{"leavers",9}{"vs target",11}");
            DeltaRow("Core, first run (empty state), all accepted", ChildDetails(Environment.ProcessPath!, $"{self} delta-run \"{baseline}\" \"{state}\" accept", viaDotnet: true), null);
            Console.WriteLine($"  state file: {new FileInfo(state).Length / 1048576.0:N1} MB for {rows:N0} workers ({new FileInfo(state).Length / (double)rows:N0} bytes each)");
            if (pwsh is not null)
            {
                // Read-only: -WhatIf converts everything against the state and sends nothing.
                string script = $"$ErrorActionPreference='Stop'; Import-Module '{module}'; $sw=[Diagnostics.Stopwatch]::StartNew(); $s = ConvertTo-ScimBulkRequest -Path '{nextDay}' -AttributeMapping '{mapping}' -StatePath '{state}' -WhatIf 6>$null; $sw.Stop(); $p=[Diagnostics.Process]::GetCurrentProcess(); $p.Refresh(); '{{0}} {{1}} {{2}} {{3}} {{4}} {{5}} {{6}}' -f $s.RecordsRead, $sw.Elapsed.TotalSeconds, $p.PeakWorkingSet64, $s.Requests, $s.Joiners, $s.Movers, $s.Leavers";
                DeltaRow("ConvertTo -Path -StatePath, next day", ChildDetails(pwsh, $"-NoProfile -NonInteractive -Command \"{script}\"", false), DeltaPathTarget);
            }

            DeltaRow("Core, next day, changes accepted", ChildDetails(Environment.ProcessPath!, $"{self} delta-run \"{nextDay}\" \"{state}\" accept", viaDotnet: true), DeltaPathTarget);
            DeltaRow("Core, the same export again", ChildDetails(Environment.ProcessPath!, $"{self} delta-run \"{nextDay}\" \"{state}\"", viaDotnet: true), DeltaPathTarget);
            Console.WriteLine($"  memory target: {DeltaMemoryTargetMb} MB peak; state file now {new FileInfo(state).Length / 1048576.0:N1} MB");
        }

        private static void DeltaRow(string scenario, (long Records, double Seconds, long PeakBytes, long[] More) result, double? target)
        {
            double rate = result.Records / result.Seconds;
            string More(int i) => result.More.Length > i ? result.More[i].ToString("N0", CultureInfo.InvariantCulture) : "-";
            string versus = target is double t ? $"{rate / t,10:F2}x" : string.Empty;
            string memory = result.PeakBytes / 1048576.0 > DeltaMemoryTargetMb ? " (over the memory target)" : string.Empty;
            Console.WriteLine($"{scenario,-44}{result.Seconds,9:F2}{rate,11:N0}{result.PeakBytes / 1048576.0,9:N0}{More(0),10}{More(1),11}{More(2),9}{More(3),9}{versus}{memory}");
        }

        /// <summary>
        /// Converts an export with the state (indexed first, as -Path does); with "accept", records every request as
        /// accepted as it comes and saves the state, as Send-ScimBulkRequest -StatePath does (timed with the rest).
        /// Prints records, seconds, peak bytes, requests, joiners, movers, leavers.
        /// </summary>
        private static int DeltaRun(string file, string statePath, bool accept)
        {
            var clock = Stopwatch.StartNew();
            long errors = 0;
            using RunState state = RunState.Acquire(statePath, Guid.NewGuid());
            ConversionSummary summary;
            using (var converter = new BulkRequestConverter(SampleMapping(), new ConversionOptions(), state, d => errors += d.Severity == DiagnosticSeverity.Error ? 1 : 0))
            {
                // As the request would be accepted: recorded (journaled, flushed) as it comes, then dropped.
                Convert(converter, file, request =>
                {
                    if (accept)
                    {
                        state.RecordAccepted(request, DateTimeOffset.UtcNow);
                    }
                });
                summary = converter.Summary();
            }

            if (accept)
            {
                state.Commit();
            }

            double seconds = clock.Elapsed.TotalSeconds;
            using Process self = Process.GetCurrentProcess();
            self.Refresh();
            long peak = self.PeakWorkingSet64;

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{summary.RecordsRead} {seconds} {peak} {summary.Requests} {summary.Joiners} {summary.Movers} {summary.Leavers}"));
            return errors == 0 ? 0 : 1;
        }

        /// <summary>The next day's export: every 200th worker has a new title (0.5 %), and 0.1 % of the active workers left.</summary>
        private static string NextDay(string baseline)
        {
            string file = Path.Combine(Path.GetDirectoryName(baseline)!, Path.GetFileNameWithoutExtension(baseline) + "-next-day.csv");
            if (File.Exists(file))
            {
                return file;
            }

            string[] lines = File.ReadAllLines(baseline);
            int leavers = (lines.Length - 1) / 1000;
            using var writer = new StreamWriter(file, false, new UTF8Encoding(false), 1 << 16);
            writer.Write(lines[0] + "\n");
            int left = 0;
            for (int i = 1; i < lines.Length; i++)
            {
                string line = lines[i];
                bool active = line.Contains(",Active,", StringComparison.Ordinal);
                if (active && left < leavers && i % 600 == 5)
                {
                    left++;
                    continue;
                }

                writer.Write((i % 200 == 7 ? line.Replace(",Title ", ",Senior Title ", StringComparison.Ordinal) : line) + "\n");
            }

            return file;
        }

        /// <summary>
        /// The cost of the rules that make each record mean what the admin meant, on an HR export in employee-id order
        /// of an eight-level hierarchy (span of control 8) with 2 % repeated rows (rehires, second job records).
        /// </summary>
        private static void Ordering(string repo, int rows, string? pwsh, string module, string mapping)
        {
            string file = Hierarchy(repo, rows);
            string self = $"\"{typeof(Program).Assembly.Location}\"";
            Console.WriteLine();
            Console.WriteLine($"Ordering cost: {rows:N0} rows, 8-level hierarchy in employee-id order, 2 % repeated rows");
            Console.WriteLine($"{"scenario",-40}{"seconds",9}{"records/s",11}{"peak MB",9}{"requests",10}{"waited",9}{"spilled MB",12}{"vs before",11}");
            (long, double, long, long[]) before = ChildDetails(Environment.ProcessPath!, $"{self} core-run \"{file}\" as-before", viaDotnet: true);
            double baseline = before.Item1 / before.Item2;
            OrderingRow("Core, before: first row, input order", before, baseline);
            OrderingRow("Core, last row wins, managers first", ChildDetails(Environment.ProcessPath!, $"{self} core-run \"{file}\"", viaDotnet: true), baseline);
            if (pwsh is not null)
            {
                string script = $"$ErrorActionPreference='Stop'; Import-Module '{module}'; $sw=[Diagnostics.Stopwatch]::StartNew(); $r = ConvertTo-ScimBulkRequest -Path '{file}' -AttributeMapping '{mapping}' -WarningAction SilentlyContinue | Measure-Object -Property OperationCount -Sum; $sw.Stop(); $p=[Diagnostics.Process]::GetCurrentProcess(); $p.Refresh(); '{{0}} {{1}} {{2}} {{3}}' -f {rows}, $sw.Elapsed.TotalSeconds, $p.PeakWorkingSet64, $r.Count";
                OrderingRow("ConvertTo -Path, last row, managers first", ChildDetails(pwsh, $"-NoProfile -NonInteractive -Command \"{script}\"", false), baseline);
            }
        }

        private static void OrderingRow(string scenario, (long Records, double Seconds, long PeakBytes, long[] More) result, double baseline)
        {
            double rate = result.Records / result.Seconds;
            string More(int i, Func<long, string> format) => result.More.Length > i ? format(result.More[i]) : "-";
            Console.WriteLine($"{scenario,-40}{result.Seconds,9:F2}{rate,11:N0}{result.PeakBytes / 1048576.0,9:N0}{More(0, v => v.ToString("N0", CultureInfo.InvariantCulture)),10}{More(2, v => v.ToString("N0", CultureInfo.InvariantCulture)),9}{More(1, v => (v / 1048576.0).ToString("N0", CultureInfo.InvariantCulture)),12}{rate / baseline,10:F2}x");
        }

        private static void Report(string scenario, int rows, (long Records, double Seconds, long PeakBytes) result, double target, double? memoryTargetMb)
        {
            double rate = result.Records / result.Seconds;
            double mb = result.PeakBytes / 1024.0 / 1024.0;
            string memory = memoryTargetMb is null ? string.Empty : $" (memory {mb / memoryTargetMb.Value:P0} of {memoryTargetMb} MB)";
            Console.WriteLine($"{scenario,-28}{rows,12:N0}{result.Seconds,10:F2}{rate,12:N0}{mb,10:N0}{rate / target,10:F2}x{rate / Csv2ScimReference,12:F1}x{memory}");
            if (result.Records != rows)
            {
                Console.WriteLine($"  WARNING: converted {result.Records:N0} of {rows:N0} records");
            }
        }

        private static (long, double, long) Child(string fileName, string arguments, bool viaDotnet)
        {
            (long records, double seconds, long peak, _) = ChildDetails(fileName, arguments, viaDotnet);
            return (records, seconds, peak);
        }

        /// <summary>Runs a scenario in a child process; its last line is "records seconds peakBytes [more numbers]".</summary>
        private static (long Records, double Seconds, long PeakBytes, long[] More) ChildDetails(string fileName, string arguments, bool viaDotnet)
        {
            // The repository's own PowerShell (dotnet tool restore) runs as 'dotnet pwsh' from inside the repository;
            // the numbers come from the pwsh process itself, so the launcher in between does not count.
            var start = fileName == LocalPowerShell
                ? new ProcessStartInfo("dotnet", "pwsh " + arguments) { WorkingDirectory = FindRepository() }
                : new ProcessStartInfo(viaDotnet ? "dotnet" : fileName, viaDotnet ? arguments.Substring(arguments.IndexOf('"', StringComparison.Ordinal)) : arguments);
            start.RedirectStandardOutput = true;
            start.UseShellExecute = false;
            using Process process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            string last = output.Trim().Split('\n').Last().Trim();
            string[] parts = last.Split(' ');
            if (process.ExitCode != 0 || parts.Length < 3)
            {
                throw new InvalidOperationException($"Scenario failed (exit {process.ExitCode}): {output}");
            }

            return (long.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture), parts.Skip(3).Select(p => long.Parse(p, CultureInfo.InvariantCulture)).ToArray());
        }

        /// <summary>
        /// The Core path alone, in this process: read (twice when the run indexes first, as -Path does), map, write
        /// JSON; requests are discarded as produced. "warm" first converts the file once untimed, so the timed pass
        /// runs on tiered-up code, as a long-running session would. "as-before" converts as the module did before it
        /// chose the last row of a repeated worker and ordered managers: first row, input order, streaming.
        /// Prints records, seconds, peak bytes, requests, bytes spilled and the most operations waiting at once.
        /// </summary>
        private static int CoreRun(string file, bool warm, bool asBefore)
        {
            ConversionOptions Options() => asBefore
                ? new ConversionOptions { DuplicateExternalId = DuplicateExternalIdHandling.First, OrderManagersFirst = false }
                : new ConversionOptions();
            if (warm)
            {
                using var warmup = new BulkRequestConverter(SampleMapping(), Options(), _ => { });
                Convert(warmup, file, _ => { });
            }

            var clock = Stopwatch.StartNew();
            long errors = 0;
            long requests = 0;
            using var converter = new BulkRequestConverter(SampleMapping(), Options(), d => errors += d.Severity == DiagnosticSeverity.Error ? 1 : 0);
            int mostWaiting = Convert(converter, file, _ => requests++);
            clock.Stop();
            using Process self = Process.GetCurrentProcess();
            self.Refresh();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{converter.RecordsRead} {clock.Elapsed.TotalSeconds} {self.PeakWorkingSet64} {requests} {converter.SpilledBytes} {mostWaiting}"));
            return errors == 0 ? 0 : 1;
        }

        /// <summary>Converts a file as ConvertTo-ScimBulkRequest -Path does; returns the most operations waiting at once.</summary>
        private static int Convert(BulkRequestConverter converter, string file, Action<BulkRequest> take)
        {
            if (converter.WantsIndex)
            {
                using var first = new CsvRecordReader(file);
                foreach (CsvRecord record in first.ReadRecords())
                {
                    converter.Index(record);
                }

                converter.EndIndex();
            }

            int mostWaiting = 0;
            using (var reader = new CsvRecordReader(file))
            {
                foreach (CsvRecord record in reader.ReadRecords())
                {
                    converter.Add(record);
                    mostWaiting = Math.Max(mostWaiting, converter.OperationsWaiting);
                    while (converter.TryTake(out BulkRequest? request))
                    {
                        take(request!);
                    }
                }
            }

            foreach (BulkRequest request in converter.CompleteAndTakeAll())
            {
                take(request);
            }

            return mostWaiting;
        }

        /// <summary>Writes (once) a CSV of synthetic workers with the columns of samples/hr-workers.csv.</summary>
        private static string Synthetic(string repo, int rows)
        {
            string directory = Path.Combine(repo, "tests", "Benchmarks", "Conversion", "data");
            Directory.CreateDirectory(directory);
            string file = Path.Combine(directory, $"workers-{rows}.csv");
            if (File.Exists(file))
            {
                return file;
            }

            string[] first = { "Ava", "Liam", "Noah", "Mia", "Ethan", "Zoë", "Lucas", "Amara", "Kenji", "Sofia" };
            string[] last = { "Okafor", "Lindqvist", "García", "Nguyen", "O'Brien", "Müller", "Kowalski", "Haddad", "Tanaka", "Rossi" };
            string[] departments = { "Finance", "Sales", "Product Engineering", "People", "Operations" };
            var random = new Random(42);
            using var writer = new StreamWriter(file, false, new UTF8Encoding(false), 1 << 16);
            writer.Write("WorkerID,WorkerStatus,WorkerType,UserID,FirstName,LastName,FullName,ManagerID,HireDate,Department,Division,CostCenter,Company,JobTitle,StreetAddress,City,CountryCode,ZipCode,OfficePhone\n");
            for (int i = 0; i < rows; i++)
            {
                string f = first[random.Next(first.Length)];
                string l = last[random.Next(last.Length)];
                int id = 100_000 + i;
                string street = i % 10 == 0 ? $"\"{i % 900 + 1} Quay Street, Unit {i % 7}\"" : $"{i % 900 + 1} Harbour Road";
                string phone = i % 7 == 3 ? string.Empty : $"+1-555-{i % 10_000:D4}";
                writer.Write(string.Create(CultureInfo.InvariantCulture, $"{id},{(i % 6 == 0 ? "Inactive" : "Active")},{(i % 5 == 2 ? "Contractor" : "Employee")},w{id}@contoso.com,{f},{l},{f} {l},{(i < 10 ? string.Empty : (100_000 + i / 10).ToString(CultureInfo.InvariantCulture))},20{10 + i % 14:D2}-0{1 + i % 9}-15,{departments[i % 5]},Division {i % 12},CC{1000 + i % 50},Contoso,Title {i % 40},{street},City {i % 300},US,{10_000 + i % 89_999},{phone}\n"));
            }

            return file;
        }

        /// <summary>
        /// Writes (once) an HR export of an eight-level hierarchy (each manager has up to 8 reports; the top level has
        /// one worker) in employee-id order, where ids bear no relation to the hierarchy, and 2 % of the workers appear
        /// in a second row (rehires, second job records) next to their first.
        /// </summary>
        private static string Hierarchy(string repo, int rows)
        {
            string directory = Path.Combine(repo, "tests", "Benchmarks", "Conversion", "data");
            Directory.CreateDirectory(directory);
            string file = Path.Combine(directory, $"hierarchy-{rows}.csv");
            if (File.Exists(file))
            {
                return file;
            }

            int repeats = rows / 50;
            int workers = rows - repeats;
            var random = new Random(8);
            int[] ids = Enumerable.Range(0, workers).Select(i => 1_000_000 + i).OrderBy(_ => random.Next()).ToArray(); // ids[k]: worker k in hierarchy order
            var repeated = new HashSet<int>(Enumerable.Range(0, workers).OrderBy(_ => random.Next()).Take(repeats));
            var byId = new int[workers];
            for (int k = 0; k < workers; k++)
            {
                byId[ids[k] - 1_000_000] = k;
            }

            string[] first = { "Ava", "Liam", "Noah", "Mia", "Ethan", "Zoë", "Lucas", "Amara", "Kenji", "Sofia" };
            string[] last = { "Okafor", "Lindqvist", "García", "Nguyen", "O'Brien", "Müller", "Kowalski", "Haddad", "Tanaka", "Rossi" };
            using var writer = new StreamWriter(file, false, new UTF8Encoding(false), 1 << 16);
            writer.Write("WorkerID,WorkerStatus,WorkerType,UserID,FirstName,LastName,FullName,ManagerID,HireDate,Department,Division,CostCenter,Company,JobTitle,StreetAddress,City,CountryCode,ZipCode,OfficePhone\n");
            for (int n = 0; n < workers; n++)
            {
                int k = byId[n];
                int id = ids[k];
                string manager = k == 0 ? string.Empty : ids[(k - 1) / 8].ToString(CultureInfo.InvariantCulture);
                for (int copy = 0; copy < (repeated.Contains(k) ? 2 : 1); copy++)
                {
                    string f = first[(k + copy) % first.Length];
                    string l = last[(k / 10) % last.Length];
                    writer.Write(string.Create(CultureInfo.InvariantCulture, $"{id},{(copy == 0 && repeated.Contains(k) ? "Inactive" : "Active")},Employee,w{id}@contoso.com,{f},{l},{f} {l},{manager},20{10 + k % 14:D2}-0{1 + k % 9}-15,Dept {k % 40},Division {k % 12},CC{1000 + k % 50},Contoso,{(copy == 1 ? "Senior " : string.Empty)}Title {k % 40},{k % 900 + 1} Harbour Road,City {k % 300},US,{10_000 + k % 89_999},+1-555-{k % 10_000:D4}\n"));
                }
            }

            return file;
        }

        /// <summary>Stands for 'dotnet pwsh', the PowerShell of .config/dotnet-tools.json, when no pwsh is on PATH.</summary>
        private const string LocalPowerShell = "dotnet pwsh";
    }
}
