using System;
using System.IO;

namespace EntraInboundProvisioning.State
{
    /// <summary>
    /// A file of the state is held open by another process (a backup or antivirus program, an editor, a sync client)
    /// that shares it with nobody. Nothing is wrong with its content: the same read succeeds once it is closed.
    /// </summary>
    public sealed class StateLockedException : IOException
    {
        /// <summary>Creates the exception.</summary>
        public StateLockedException()
        {
        }

        /// <summary>Creates the exception.</summary>
        public StateLockedException(string message)
            : base(message)
        {
        }

        /// <summary>Creates the exception.</summary>
        public StateLockedException(string message, Exception inner)
            : base(message, inner)
        {
        }

        /// <summary>The exception for <paramref name="file"/>, which opening refused with <paramref name="inner"/>.</summary>
        internal static StateLockedException For(string file, IOException inner)
            => new StateLockedException($"'{file}' is in use by another process (a backup or antivirus program, an editor or a sync client holds it open); try again when it is closed. Its content is not the problem.", inner);

        /// <summary>
        /// True when <paramref name="ex"/> says another process holds the file, not that the file is missing or damaged:
        /// on Windows a sharing or lock violation; elsewhere the advisory lock .NET takes for FileShare.None, which it
        /// reports as EWOULDBLOCK.
        /// </summary>
        internal static bool IsHeldElsewhere(IOException ex)
        {
            // Only IOException itself: FileNotFound, DirectoryNotFound, EndOfStream and PathTooLong say something else.
            if (ex.GetType() != typeof(IOException))
            {
                return false;
            }

            const int SharingViolation = unchecked((int)0x80070020), LockViolation = unchecked((int)0x80070021);
            if (ex.HResult is SharingViolation or LockViolation)
            {
                return true;
            }

            // .NET on Unix puts the errno in HResult: EWOULDBLOCK is 11 on Linux, 35 on macOS and the BSDs.
            return !System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Windows)
                && ex.HResult == (System.Runtime.InteropServices.RuntimeInformation.IsOSPlatform(System.Runtime.InteropServices.OSPlatform.Linux) ? 11 : 35);
        }
    }
}
