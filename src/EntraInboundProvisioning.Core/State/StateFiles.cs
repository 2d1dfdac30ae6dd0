using System;
using System.IO;

namespace EntraInboundProvisioning.State
{
    /// <summary>
    /// The files a run state is made of: the state itself, <c>&lt;state&gt;.journal</c> (records accepted since it was
    /// saved), <c>&lt;state&gt;.lock</c> (held while a run uses it) and the <c>.&lt;state&gt;.*.tmp</c> a save writes
    /// before it renames it over the state. Whatever writes beside a state asks here first: overwriting any of them
    /// loses what the service accepted.
    /// </summary>
    public static class StateFiles
    {
        /// <summary>The journal of a state.</summary>
        public static string Journal(string statePath) => statePath + ".journal";

        /// <summary>The lock file of a state.</summary>
        public static string Lock(string statePath) => statePath + ".lock";

        /// <summary>The pattern of the files a save writes in the state's folder before renaming one over the state.</summary>
        internal static string TemporaryPattern(string statePath) => $".{Path.GetFileName(statePath)}.*.tmp";

        /// <summary>A new name for a save's temporary file, in the state's folder.</summary>
        internal static string Temporary(string fullStatePath)
            => Path.Combine(Path.GetDirectoryName(fullStatePath)!, $".{Path.GetFileName(fullStatePath)}.{Guid.NewGuid():N}.tmp");

        /// <summary>
        /// True when <paramref name="path"/> is one of the files of the state at <paramref name="statePath"/>. Names are
        /// compared whole and without regard to case (as Windows and macOS compare them): a report never needs a name
        /// that differs from the state's only by case.
        /// </summary>
        public static bool Holds(string statePath, string path)
        {
            string state = Path.GetFullPath(statePath);
            string file = Path.GetFullPath(path);
            if (Same(file, state) || Same(file, Journal(state)) || Same(file, Lock(state)))
            {
                return true;
            }

            // .<state name>.<32 hex digits>.tmp, in the state's folder.
            string prefix = "." + Path.GetFileName(state) + ".";
            string name = Path.GetFileName(file);
            return Same(Path.GetDirectoryName(file) ?? string.Empty, Path.GetDirectoryName(state) ?? string.Empty)
                && name.Length == prefix.Length + 32 + 4
                && name.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                && name.EndsWith(".tmp", StringComparison.OrdinalIgnoreCase);
        }

        private static bool Same(string a, string b)
            => string.Equals(a.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar), b.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar), StringComparison.OrdinalIgnoreCase);
    }
}
