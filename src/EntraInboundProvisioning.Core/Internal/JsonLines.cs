using System;
using System.Collections.Generic;
using System.IO;
using System.Text.Json;

namespace EntraInboundProvisioning.Internal
{
    /// <summary>
    /// Reads a JSON-lines journal (the upload journal, a state's journal): one JSON object per line, appended and
    /// flushed as things happen. A line a crash cut short, or one that does not have what the reader needs, is skipped
    /// and counted: what it described is done again, which every journal here is built to make safe.
    /// </summary>
    internal static class JsonLines
    {
        /// <summary>Calls <paramref name="read"/> for each readable line of the file, oldest first; returns the lines skipped.</summary>
        public static int Read(string path, Action<JsonElement> read)
        {
            int skipped = 0;
            if (!File.Exists(path))
            {
                return 0;
            }

            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                if (line.Trim().Length == 0)
                {
                    continue;
                }

                try
                {
                    using JsonDocument document = JsonDocument.Parse(line);
                    read(document.RootElement);
                }
                catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
                {
                    skipped++;
                }
            }

            return skipped;
        }
    }
}
