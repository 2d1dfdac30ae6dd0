using System;
using System.Globalization;
using System.Linq;
using System.Text;
using EntraInboundProvisioning.State;

namespace EntraInboundProvisioning.StateCrashHost
{
    /// <summary>
    /// Records a request of changed workers into a state and commits it, round after round, printing each round it
    /// committed, until killed:  StateCrashHost &lt;state file&gt; &lt;workers&gt;. The first round records every worker.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            string path = args[0];
            int workers = int.Parse(args[1], CultureInfo.InvariantCulture);
            int round = 0;
            string run = Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
            while (true)
            {
                using RunState state = RunState.Acquire(path, Guid.NewGuid());
                round++;
                if (state.Workers < workers)
                {
                    for (int first = 0; first < workers; first += 50)
                    {
                        state.RecordAccepted(Request(first, Math.Min(50, workers - first), run, round), DateTimeOffset.UtcNow);
                    }
                }
                else
                {
                    // Later rounds change one request's workers, so most of the time goes to writing the state file.
                    int first = (round * 50) % workers;
                    state.RecordAccepted(Request(first, Math.Min(50, workers - first), run, round), DateTimeOffset.UtcNow);
                }

                state.Commit(new RunRecord { Requests = 1, Accepted = 1, StartedAt = DateTimeOffset.UtcNow, CompletedAt = DateTimeOffset.UtcNow });
                Console.WriteLine($"committed {round}");
                Console.Out.Flush();
            }
        }

        private static string Request(int first, int count, string run, int round)
        {
            var json = new StringBuilder("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:BulkRequest\"],\"Operations\":[");
            json.Append(string.Join(",", Enumerable.Range(first, count).Select(i =>
                $"{{\"method\":\"POST\",\"bulkId\":\"b{i}\",\"path\":\"/Users\",\"data\":{{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"externalId\":\"W{i}\",\"userName\":\"w{i}@contoso.com\",\"title\":\"Run {run}, round {round}\",\"active\":true}}}}")));
            return json.Append("]}").ToString();
        }
    }
}
