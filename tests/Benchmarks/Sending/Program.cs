using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Security;
using System.Threading;
using System.Threading.Tasks;
using EntraInboundProvisioning.Auth;
using EntraInboundProvisioning.Graph;
using EntraInboundProvisioning.GraphEmulator;
using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Scim;
using EntraInboundProvisioning.Sending;
using EntraInboundProvisioning.Sources;

namespace EntraInboundProvisioning.Benchmarks.Sending
{
    /// <summary>
    /// Sends N synthetic records (50 per request) to the in-process Graph emulator with 300 ms latency per call and
    /// the 40-calls-per-5-seconds limit, with and without 10 % injected faults, and prints records/s, the ratio to the
    /// pacing limit (40 × 50 records / 5 s = 400 records/s) and to sending one request at a time.
    ///   dotnet run -c Release --project tests/Benchmarks/Sending -- --records 100000
    /// </summary>
    internal static class Program
    {
        private static async Task<int> Main(string[] args)
        {
            int records = args.Length > 1 && args[0] == "--records" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100_000;
            Console.WriteLine($"Sending benchmark: {records:N0} records, 50 per request, 300 ms latency, 40 calls / 5 s per job.");
            Console.WriteLine($"{"scenario",-36}{"seconds",9}{"records/s",11}{"vs limit",10}{"calls/s",9}{"vs limit",10}{"vs serial",11}{"calls",8}{"lost",6}{"dupes",7}{"retried",9}");
            double serial = await Run("one request at a time", Math.Min(records, 5_000), 1, new FaultPlan(), null).ConfigureAwait(false);
            await Run("paced, concurrent", records, 4, new FaultPlan(), serial).ConfigureAwait(false);
            await Run("paced, concurrent, 10 % faults", records, 4, new FaultPlan { Throttle429 = 0.02, Error500 = 0.02, Error503 = 0.02, DropBeforeAccept = 0.02, DropAfterAccept = 0.02 }, serial).ConfigureAwait(false);
            return 0;
        }

        private static async Task<double> Run(string name, int records, int concurrency, FaultPlan faults, double? serialRate)
        {
            await using EmulatorHost emulator = await EmulatorHost.StartAsync(new EmulatorOptions { Latency = TimeSpan.FromMilliseconds(300), DailyQuota = 1_000_000, Seed = 5 }).ConfigureAwait(false);
            emulator.State.Faults = faults;
            CloudEndpoints endpoints = CloudEndpoints.ForTest(emulator.BaseUri);
            var secret = new SecureString();
            foreach (char c in emulator.State.DefaultClientSecret)
            {
                secret.AppendChar(c);
            }

            var options = new AuthenticationOptions { Mode = AuthenticationMode.ClientSecret, TenantId = emulator.State.DefaultTenantId, ClientId = emulator.State.DefaultClientId, ClientSecret = secret, Endpoints = endpoints };
            AccessTokenProvider tokens = AccessTokenProvider.Create(options, () => new HttpClient(GraphClient.CreateHandler(endpoints, emulator.Certificate)));
            using var graph = new GraphClient(endpoints, tokens, GraphClient.CreateHandler(endpoints, emulator.Certificate));
            var api = new ProvisioningApi(graph);
            List<BulkRequest> requests = Convert(records);
            var clock = Stopwatch.StartNew();
            var results = new List<BulkUploadResult>();
            using (var sender = new BulkUploadSender(api, emulator.State.DefaultServicePrincipalId, emulator.State.DefaultJobId, new SendOptions { MaxConcurrency = concurrency, CallBudget = 1_000_000, MaxAttempts = 10 }, null, false, CancellationToken.None))
            {
                foreach (BulkRequest request in requests)
                {
                    while (!sender.TryPost(request, TimeSpan.FromMilliseconds(50)))
                    {
                        results.AddRange(sender.Drain());
                    }
                }

                sender.Complete();
                while (!sender.IsFinished)
                {
                    if (sender.Next(TimeSpan.FromMilliseconds(50)) is BulkUploadResult result)
                    {
                        results.Add(result);
                    }
                }

                results.AddRange(sender.Drain());
            }

            clock.Stop();
            IReadOnlyDictionary<string, int> counts = emulator.State.AcceptedCountByExternalId(emulator.State.DefaultJobId);
            int lost = records - counts.Count;
            int duplicates = counts.Values.Sum(c => c - 1);
            double rate = records / clock.Elapsed.TotalSeconds;
            string vsSerial = serialRate is double s ? $"{rate / s,10:F1}x" : $"{"-",11}";
            int calls = results.Sum(r => r.Attempts);
            double callRate = calls / clock.Elapsed.TotalSeconds;
            // Records/s counts accepted records once; calls/s counts every call the limit counts, faulted ones included.
            Console.WriteLine($"{name,-36}{clock.Elapsed.TotalSeconds,9:F1}{rate,11:N0}{rate / 400.0,9:P0}{callRate,9:F2}{callRate / 8.0,9:P0}{vsSerial}{calls,8}{lost,6}{duplicates,7}{results.Count(r => r.Attempts > 1),9}");
            if (results.Any(r => r.Status != BulkUploadStatus.Accepted))
            {
                Console.WriteLine($"  {results.Count(r => r.Status != BulkUploadStatus.Accepted)} request(s) not accepted: {results.First(r => r.Status != BulkUploadStatus.Accepted).Error}");
            }

            return rate;
        }

        private static List<BulkRequest> Convert(int records)
        {
            var mapping = new AttributeMapping(new[]
            {
                MappingNode.ForColumn("externalId", "Id"),
                MappingNode.ForColumn("userName", "Upn"),
                MappingNode.ForColumn("displayName", "Name"),
                MappingNode.ForConstant("active", true),
            });
            var requests = new List<BulkRequest>();
            using var converter = new BulkRequestConverter(mapping, null, d => throw new InvalidOperationException(d.Message));
            for (int i = 0; i < records; i++)
            {
                var record = new DictionaryRecord(i + 1);
                record.Add("Id", $"B{i}");
                record.Add("Upn", $"b{i}@contoso.com");
                record.Add("Name", $"Worker {i}");
                converter.Add(record);
            }

            requests.AddRange(converter.CompleteAndTakeAll());
            return requests;
        }
    }
}
