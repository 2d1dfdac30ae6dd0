using System;
using System.IO;
using System.Text;

namespace EntraInboundProvisioning.State
{
    /// <summary>
    /// <c>&lt;state&gt;.lock</c>, held exclusively while a run uses the state: another process (or a runbook job on the
    /// same worker) cannot open the state meanwhile. The operating system releases it when a process dies, so a killed
    /// run leaves no stale lock.
    /// </summary>
    internal sealed class StateLock : IDisposable
    {
        private readonly FileStream _file;

        private StateLock(FileStream file) => _file = file;

        /// <exception cref="RunStateInUseException">Another run holds the lock.</exception>
        public static StateLock Take(string statePath)
        {
            FileStream file;
            try
            {
                file = new FileStream(StateFiles.Lock(statePath), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException ex)
            {
                throw new RunStateInUseException($"The state '{statePath}' is in use by another run (it holds '{StateFiles.Lock(statePath)}'). Two runs on one state would each send what the other already sent; wait for it to finish.", ex);
            }

            try
            {
                // Who holds it, for an admin who finds the file: never read by the module.
                byte[] holder = Encoding.UTF8.GetBytes($"{{\"processId\":{System.Diagnostics.Process.GetCurrentProcess().Id},\"machine\":\"{Environment.MachineName}\",\"since\":\"{DateTimeOffset.UtcNow:o}\"}}\n");
                file.SetLength(0);
                file.Write(holder, 0, holder.Length);
                file.Flush();
                return new StateLock(file);
            }
            catch
            {
                file.Dispose();
                throw;
            }
        }

        public void Dispose() => _file.Dispose();
    }
}
