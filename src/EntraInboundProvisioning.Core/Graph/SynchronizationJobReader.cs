using System;
using System.Globalization;
using System.Text.Json;

namespace EntraInboundProvisioning.Graph
{
    /// <summary>
    /// Reads a synchronization job (GET …/synchronization/jobs) from Graph's JSON. It lives in Core, not beside
    /// SynchronizationJobInfo, because it needs System.Text.Json and the public types carry no dependency.
    /// </summary>
    internal static class SynchronizationJobReader
    {
        public static SynchronizationJobInfo Read(string servicePrincipalId, JsonElement job)
        {
            var info = new SynchronizationJobInfo(
                servicePrincipalId,
                job.TryGetProperty("id", out JsonElement id) ? id.GetString() ?? string.Empty : string.Empty,
                job.TryGetProperty("templateId", out JsonElement template) ? template.GetString() ?? string.Empty : string.Empty,
                job.GetRawText());
            if (job.TryGetProperty("status", out JsonElement status) && status.ValueKind == JsonValueKind.Object)
            {
                info.Status = status.TryGetProperty("code", out JsonElement code) ? code.GetString() ?? string.Empty : string.Empty;
                info.LastExecution = Execution(status, "lastExecution");
                info.LastSuccessfulExecution = Execution(status, "lastSuccessfulExecution");
                if (status.TryGetProperty("quarantine", out JsonElement quarantine) && quarantine.ValueKind == JsonValueKind.Object)
                {
                    info.QuarantineReason = quarantine.TryGetProperty("reason", out JsonElement reason) ? reason.GetString() : null;
                    info.QuarantineSince = Date(quarantine, "currentBegan");
                }
            }

            return info;
        }

        private static JobExecution? Execution(JsonElement status, string name)
            => status.TryGetProperty(name, out JsonElement e) && e.ValueKind == JsonValueKind.Object
                ? new JobExecution(e.TryGetProperty("state", out JsonElement s) ? s.GetString() : null, Date(e, "timeBegan"), Date(e, "timeEnded"), e.TryGetProperty("error", out JsonElement err) && err.ValueKind == JsonValueKind.Object && err.TryGetProperty("message", out JsonElement msg) ? msg.GetString() : null)
                : null;

        private static DateTimeOffset? Date(JsonElement element, string name)
            => element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String
               && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset at) ? at : null;
    }
}
