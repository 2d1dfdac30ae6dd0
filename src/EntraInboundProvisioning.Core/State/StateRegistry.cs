using System;
using System.Collections.Generic;

namespace EntraInboundProvisioning.State
{
    /// <summary>
    /// The states open in this process, by full path. The cmdlets of one pipeline (one owner: a PowerShell runspace)
    /// share an open state, so converting and sending work on the same table; anyone else is refused while it is open.
    /// </summary>
    internal static class StateRegistry
    {
        private static readonly object Gate = new object();
        private static readonly Dictionary<string, (RunState State, int Users)> Open = new Dictionary<string, (RunState, int)>(StringComparer.Ordinal);

        /// <exception cref="RunStateInUseException">Another owner in this process holds the state.</exception>
        public static RunState Acquire(string fullPath, Guid owner, Func<string, Guid, RunState> load)
        {
            lock (Gate)
            {
                if (Open.TryGetValue(fullPath, out (RunState State, int Users) open))
                {
                    if (open.State.Owner != owner)
                    {
                        throw new RunStateInUseException($"The state '{fullPath}' is in use by another run in this process; wait for it to finish.");
                    }

                    Open[fullPath] = (open.State, open.Users + 1);
                    return open.State;
                }

                RunState state = load(fullPath, owner);
                Open.Add(fullPath, (state, 1));
                return state;
            }
        }

        /// <summary>Cmdlets that use the state right now.</summary>
        public static int Users(RunState state)
        {
            lock (Gate)
            {
                return Open.TryGetValue(state.Path, out (RunState State, int Users) open) && ReferenceEquals(open.State, state) ? open.Users : 0;
            }
        }

        /// <summary>One user is done; true when that was the last one (the state is then closed).</summary>
        public static bool Release(RunState state)
        {
            lock (Gate)
            {
                if (!Open.TryGetValue(state.Path, out (RunState State, int Users) open) || !ReferenceEquals(open.State, state))
                {
                    return false;
                }

                if (open.Users > 1)
                {
                    Open[state.Path] = (open.State, open.Users - 1);
                    return false;
                }

                Open.Remove(state.Path);
                return true;
            }
        }
    }
}
