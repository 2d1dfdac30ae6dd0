using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading.Tasks;

namespace EntraInboundProvisioning.GraphEmulator
{
    /// <summary>Starts the emulator by hand: dotnet run --project tests/EntraInboundProvisioning.GraphEmulator -- --urls https://127.0.0.1:5443</summary>
    public static class Program
    {
        /// <summary>Runs until Ctrl+C, SIGINT, SIGTERM or SIGQUIT, then disposes the host and returns 0.</summary>
        public static async Task<int> Main(string[] args)
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

            // Registered before "Ready." so a stop signal sent as soon as it is read still ends the process cleanly.
            var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            List<PosixSignalRegistration> signals = StopOn(stop, PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGQUIT);
            Console.WriteLine(cycleDelay is null ? "Cycles run on POST /_emulator/jobs/{jobId}/cycle." : "Cycles run 10 seconds after each upload.");
            Console.WriteLine("Ready. Press Ctrl+C to stop.");
            Console.Out.Flush();
            await stop.Task.ConfigureAwait(false);
            signals.ForEach(s => s.Dispose());
            return 0;
        }

        /// <summary>
        /// Turns the signals into a clean stop. The host leaves signals to the process that embeds it (a test run keeps
        /// its own), so here Program owns them; before, SIGTERM stopped the web app but left Main waiting until SIGKILL.
        /// </summary>
        private static List<PosixSignalRegistration> StopOn(TaskCompletionSource stop, params PosixSignal[] signals)
        {
            var registrations = new List<PosixSignalRegistration>();
            foreach (PosixSignal signal in signals)
            {
                try
                {
                    registrations.Add(PosixSignalRegistration.Create(signal, context =>
                    {
                        // Cancel the default (terminate at once) so Main can dispose the host and exit with 0.
                        context.Cancel = true;
                        stop.TrySetResult();
                    }));
                }
                catch (PlatformNotSupportedException)
                {
                    // A platform without this signal still stops on the others (Ctrl+C is SIGINT everywhere).
                }
            }

            return registrations;
        }
    }
}
