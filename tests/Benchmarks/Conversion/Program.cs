using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Scim;
using EntraInboundProvisioning.Sources;

namespace EntraInboundProvisioning.Benchmarks
{
    /// <summary>
    /// Conversion benchmark: records/s and peak memory of the Core path, the ConvertTo-ScimBulkRequest -Path
    /// path and the Import-Csv | pipeline path, on synthetic rows shaped like samples/hr-workers.csv with the
    /// sample mapping. Each scenario runs in its own process so its peak working set is its own.
    ///   dotnet run -c Release --project tests/Benchmarks/Conversion -- --rows 100000 [--rows 1000000] [--core-only]
    /// </summary>
    internal static class Program
    {
        // Issue targets on one core of the build machines.
        private const double CoreTarget = 150_000;
        private const double PathTarget = 50_000;
        private const double PipelineTarget = 15_000;
        private const double PathMemoryTargetMb = 300;
        private const double Csv2ScimReference = 1_100; // Microsoft's sample script, measured on these machines.

        private static int Main(string[] args)
        {
            if (args.Length > 0 && args[0] == "core-run")
            {
                return CoreRun(args[1], warm: args.Length > 2 && args[2] == "warm");
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
            string? pwsh = coreOnly ? null : FindOnPath("pwsh");

            Console.WriteLine($"Conversion benchmark: {Environment.ProcessorCount} cores, .NET {Environment.Version}");
            Console.WriteLine($"{"scenario",-28}{"rows",12}{"seconds",10}{"records/s",12}{"peak MB",10}{"vs target",11}{"vs CSV2SCIM",13}");
            foreach (int count in rows)
            {
                string file = Synthetic(repo, count);
                Report("Core, cold process", count, Child(Environment.ProcessPath!, $"\"{typeof(Program).Assembly.Location}\" core-run \"{file}\"", viaDotnet: true), CoreTarget, null);
                Report("Core, JIT warmed", count, Child(Environment.ProcessPath!, $"\"{typeof(Program).Assembly.Location}\" core-run \"{file}\" warm", viaDotnet: true), CoreTarget, null);
                if (pwsh is null)
                {
                    Console.WriteLine("  (cmdlet paths skipped: " + (coreOnly ? "--core-only" : "pwsh is not on PATH") + ")");
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

            return 0;
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
            var start = new ProcessStartInfo(viaDotnet ? "dotnet" : fileName, viaDotnet ? arguments.Substring(arguments.IndexOf('"', StringComparison.Ordinal)) : arguments)
            {
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            using Process process = Process.Start(start)!;
            string output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            string last = output.Trim().Split('\n').Last().Trim();
            string[] parts = last.Split(' ');
            if (process.ExitCode != 0 || parts.Length != 3)
            {
                throw new InvalidOperationException($"Scenario failed (exit {process.ExitCode}): {output}");
            }

            return (long.Parse(parts[0], CultureInfo.InvariantCulture), double.Parse(parts[1], CultureInfo.InvariantCulture), long.Parse(parts[2], CultureInfo.InvariantCulture));
        }

        /// <summary>
        /// The Core path alone, in this process: read, map, write JSON; requests are discarded as produced.
        /// "warm" first converts the file once untimed, so the timed pass runs on tiered-up code, as a long-running
        /// session would.
        /// </summary>
        private static int CoreRun(string file, bool warm)
        {
            if (warm)
            {
                using var warmup = new BulkRequestConverter(SampleMapping(), new ConversionOptions(), _ => { });
                using var warmReader = new CsvRecordReader(file);
                foreach (CsvRecord record in warmReader.ReadRecords())
                {
                    warmup.Add(record);
                }
            }

            var clock = Stopwatch.StartNew();
            long errors = 0;
            using var converter = new BulkRequestConverter(SampleMapping(), new ConversionOptions(), _ => errors++);
            using (var reader = new CsvRecordReader(file))
            {
                foreach (CsvRecord record in reader.ReadRecords())
                {
                    converter.Add(record);
                }
            }

            converter.Complete();
            clock.Stop();
            using Process self = Process.GetCurrentProcess();
            self.Refresh();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{converter.RecordsConverted} {clock.Elapsed.TotalSeconds} {self.PeakWorkingSet64}"));
            return errors == 0 ? 0 : 1;
        }

        /// <summary>samples/AttributeMapping.psd1 as the cmdlet layer compiles it (its scriptblocks are pure forms).</summary>
        private static AttributeMapping SampleMapping()
        {
            static MappingNode Computed(string name, MappingExpression e) => MappingNode.ForComputed(name, new ComputedValue("{...}", null, e));
            return new AttributeMapping(new[]
            {
                MappingNode.ForColumn("externalId", "WorkerID"),
                MappingNode.ForColumn("userName", "UserID"),
                MappingNode.ForColumn("displayName", "FullName"),
                Computed("nickName", MappingExpression.Column("FirstName")),
                MappingNode.ForColumn("userType", "WorkerType"),
                MappingNode.ForColumn("title", "JobTitle"),
                Computed("active", MappingExpression.Equal(MappingExpression.Column("WorkerStatus"), MappingExpression.Literal("Active"))),
                MappingNode.ForComplex("name", new[] { MappingNode.ForColumn("givenName", "FirstName"), MappingNode.ForColumn("familyName", "LastName") }),
                MappingNode.ForMultiValued("addresses", new[]
                {
                    MappingNode.ForComplex(string.Empty, new[]
                    {
                        Computed("type", MappingExpression.Literal("work")),
                        MappingNode.ForColumn("streetAddress", "StreetAddress"),
                        MappingNode.ForColumn("locality", "City"),
                        MappingNode.ForColumn("postalCode", "ZipCode"),
                        MappingNode.ForColumn("country", "CountryCode"),
                    }),
                }),
                MappingNode.ForMultiValued("phoneNumbers", new[]
                {
                    MappingNode.ForComplex(string.Empty, new[] { Computed("type", MappingExpression.Literal("work")), MappingNode.ForColumn("value", "OfficePhone") }),
                }),
                MappingNode.ForComplex(ScimSchemas.EnterpriseUserUrn, new[]
                {
                    MappingNode.ForColumn("employeeNumber", "WorkerID"),
                    MappingNode.ForColumn("department", "Department"),
                    MappingNode.ForColumn("division", "Division"),
                    MappingNode.ForColumn("costCenter", "CostCenter"),
                    MappingNode.ForColumn("organization", "Company"),
                    MappingNode.ForComplex("manager", new[] { MappingNode.ForColumn("value", "ManagerID") }),
                }),
            });
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

        private static string FindRepository()
        {
            string? directory = AppContext.BaseDirectory;
            while (directory is not null && !File.Exists(Path.Combine(directory, "EntraInboundProvisioning.sln")))
            {
                directory = Path.GetDirectoryName(directory);
            }

            return directory ?? throw new InvalidOperationException("Run the benchmark from inside the repository.");
        }

        private static string? FindOnPath(string name)
            => (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator)
                .Select(p => Path.Combine(p, name))
                .FirstOrDefault(File.Exists);
    }
}
