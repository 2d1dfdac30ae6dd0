using System;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using EntraInboundProvisioning.GraphEmulator;
using Xunit;

namespace EntraInboundProvisioning.IntegrationTests.EmulatorRules
{
    /// <summary>The emulator as a process of its own (how Pester and people start it): it stops cleanly on a signal.</summary>
    public class EmulatorProcessTests
    {
        [UnixFact]
        public async Task SigtermDisposesTheHostAndExitsWithZero()
        {
            // The build copies the emulator (with its runtimeconfig) next to the tests, as it does for any referenced app.
            string emulator = typeof(EmulatorHost).Assembly.Location;
            var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string argument in new[] { emulator, "--urls", "https://127.0.0.1:0", "--manual-cycles" })
            {
                start.ArgumentList.Add(argument);
            }

            var output = new StringBuilder();
            var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            using var process = new Process { StartInfo = start };
            process.OutputDataReceived += (_, e) =>
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }

                if (e.Data?.StartsWith("Ready.", StringComparison.Ordinal) == true)
                {
                    ready.TrySetResult();
                }
            };
            process.ErrorDataReceived += (_, e) =>
            {
                lock (output)
                {
                    output.AppendLine(e.Data);
                }
            };
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                await Task.WhenAny(ready.Task, Task.Delay(TimeSpan.FromSeconds(60)));
                string printed = Printed();
                Assert.True(ready.Task.IsCompleted, "The emulator did not print Ready.: " + printed);

                // It really serves before the signal: the discovery document answers on the port it printed.
                var baseUri = new Uri(Regex.Match(printed, @"listening on (\S+)").Groups[1].Value);
                var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadCertificate(Convert.FromBase64String(Regex.Match(printed, "-----BEGIN CERTIFICATE-----(.+?)-----END CERTIFICATE-----", RegexOptions.Singleline).Groups[1].Value.Trim()));
                using (var http = new HttpClient(new HttpClientHandler { ServerCertificateCustomValidationCallback = (_, c, _, _) => c?.Thumbprint == certificate.Thumbprint }) { BaseAddress = baseUri })
                {
                    Assert.True((await http.GetAsync("common/discovery/instance")).IsSuccessStatusCode);
                }

                // Process.Kill would be SIGKILL; the signal under test is the one `kill PID` sends.
                using (Process kill = Process.Start("kill", new[] { "-TERM", process.Id.ToString(CultureInfo.InvariantCulture) }))
                {
                    await kill.WaitForExitAsync();
                    Assert.Equal(0, kill.ExitCode);
                }

                await Task.WhenAny(process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(10)));
                Assert.True(process.HasExited, "Still running 10 s after SIGTERM: " + Printed());
                Assert.Equal(0, process.ExitCode);
            }
            finally
            {
                if (!process.HasExited)
                {
                    process.Kill(entireProcessTree: true);
                }
            }

            string Printed()
            {
                lock (output)
                {
                    return output.ToString();
                }
            }
        }
    }

    /// <summary>A fact that needs POSIX signals, skipped on Windows.</summary>
    public sealed class UnixFactAttribute : FactAttribute
    {
        public UnixFactAttribute()
        {
            if (OperatingSystem.IsWindows())
            {
                Skip = "Sends a POSIX signal.";
            }
        }
    }
}
