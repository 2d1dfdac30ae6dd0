using System;
using System.Threading.Tasks;

namespace EntraInboundProvisioning.GraphEmulator
{
    /// <summary>Starts the emulator by hand: dotnet run --project tests/EntraInboundProvisioning.GraphEmulator -- --urls https://127.0.0.1:5443</summary>
    public static class Program
    {
        public static async Task Main(string[] args)
        {
            string? urls = null;
            TimeSpan? cycleDelay = TimeSpan.FromSeconds(10);
            for (int i = 0; i < args.Length; i++)
            {
                if (args[i] == "--urls" && i + 1 < args.Length)
                {
                    urls = args[i + 1];
                }

                // Tests run cycles themselves (POST /_emulator/jobs/{jobId}/cycle).
                if (args[i] == "--manual-cycles")
                {
                    cycleDelay = null;
                }
            }

            await using EmulatorHost host = await EmulatorHost.StartAsync(new EmulatorOptions { Urls = urls ?? "https://127.0.0.1:5443", CycleDelay = cycleDelay }).ConfigureAwait(false);
            string pem = "-----BEGIN CERTIFICATE-----\n" + Convert.ToBase64String(host.Certificate.RawData, Base64FormattingOptions.InsertLineBreaks) + "\n-----END CERTIFICATE-----";
            Console.WriteLine($"Graph emulator listening on {host.BaseUri}");
            Console.WriteLine($"Certificate thumbprint: {host.Certificate.Thumbprint}");
            Console.WriteLine(pem);
            Console.WriteLine($"Tenant id:            {host.State.DefaultTenantId}");
            Console.WriteLine($"Client id:            {host.State.DefaultClientId}");
            Console.WriteLine($"Client secret:        {host.State.DefaultClientSecret}");
            Console.WriteLine($"Service principal id: {host.State.DefaultServicePrincipalId}");
            Console.WriteLine($"Job id:               {host.State.DefaultJobId}");
            Console.WriteLine($"Managed identity:     IDENTITY_ENDPOINT={new Uri(host.BaseUri, "msi/token")} IDENTITY_HEADER={host.State.ManagedIdentityHeader}");
            Console.WriteLine(cycleDelay is null ? "Cycles run on POST /_emulator/jobs/{jobId}/cycle." : "Cycles run 10 seconds after each upload.");
            Console.WriteLine("Ready. Press Ctrl+C to stop.");
            Console.Out.Flush();
            var stop = new TaskCompletionSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                stop.TrySetResult();
            };
            await stop.Task.ConfigureAwait(false);
        }
    }
}
