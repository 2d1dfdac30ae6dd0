using System;
using System.Globalization;
using System.IO;
using System.Text;

namespace EntraInboundProvisioning.Reports
{
    /// <summary>The file a run report is written to: its default name, and a write that leaves the whole page or nothing.</summary>
    public static class ReportFile
    {
        /// <summary>What is appended to the page's name while it is written.</summary>
        public const string PartialSuffix = ".partial";

        /// <summary>The page's name when none is given: &lt;state name&gt;-report-&lt;UTC date and time&gt;.html.</summary>
        public static string DefaultName(string statePath, DateTimeOffset generatedAt)
            => $"{Path.GetFileNameWithoutExtension(statePath)}-report-{generatedAt.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.html";

        /// <summary>
        /// Writes the page to <paramref name="path"/> + <see cref="PartialSuffix"/>, then moves it over
        /// <paramref name="path"/>: a reader never sees half a page. On any failure the partial file is removed and
        /// <paramref name="path"/> is left as it was.
        /// </summary>
        public static void Write(ProvisioningReport report, string path)
        {
            string partial = path + PartialSuffix;
            try
            {
                using (var writer = new StreamWriter(partial, append: false, new UTF8Encoding(false)))
                {
                    ReportPage.Write(report, writer);
                }

                if (File.Exists(path))
                {
                    File.Delete(path);
                }

                File.Move(partial, path);
            }
            catch
            {
                TryDelete(partial);
                throw;
            }
        }

        private static void TryDelete(string path)
        {
            try
            {
                if (File.Exists(path))
                {
                    File.Delete(path);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // The failure that brought us here is the one to report.
            }
        }
    }
}
