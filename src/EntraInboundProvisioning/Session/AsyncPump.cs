using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace EntraInboundProvisioning.PowerShell.Session
{
    /// <summary>
    /// Runs Core's async work from a cmdlet: the work runs on the thread pool, while the pipeline thread waits and
    /// writes the messages the work reports (verbose lines, warnings such as a device-code prompt), because
    /// Write* may only be called on the pipeline thread.
    /// </summary>
    internal sealed class AsyncPump
    {
        private readonly ConcurrentQueue<(bool Warning, string Text)> _messages = new ConcurrentQueue<(bool, string)>();

        public void Verbose(string text) => _messages.Enqueue((false, text));

        public void Warning(string text) => _messages.Enqueue((true, text));

        public T Run<T>(PSCmdlet cmdlet, Func<CancellationToken, Task<T>> work, CancellationToken cancellationToken)
        {
            Task<T> task = Task.Run(() => work(cancellationToken), cancellationToken);
            while (!((IAsyncResult)task).AsyncWaitHandle.WaitOne(100))
            {
                Flush(cmdlet);
            }

            Flush(cmdlet);
            return task.GetAwaiter().GetResult();
        }

        public void Run(PSCmdlet cmdlet, Func<CancellationToken, Task> work, CancellationToken cancellationToken)
            => Run(cmdlet, async token =>
            {
                await work(token).ConfigureAwait(false);
                return true;
            }, cancellationToken);

        public void Flush(PSCmdlet cmdlet)
        {
            while (_messages.TryDequeue(out (bool Warning, string Text) message))
            {
                if (message.Warning)
                {
                    cmdlet.WriteWarning(message.Text);
                }
                else
                {
                    cmdlet.WriteVerbose(message.Text);
                }
            }
        }
    }
}
