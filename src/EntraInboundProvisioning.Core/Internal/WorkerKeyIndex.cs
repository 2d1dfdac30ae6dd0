using EntraInboundProvisioning.Scim;

namespace EntraInboundProvisioning.Internal
{
    /// <summary>What a <see cref="WorkerKeyIndex"/> looks keys up in: a list of workers by position.</summary>
    internal interface IWorkerKeys
    {
        /// <summary>The key of the worker at a position.</summary>
        WorkerKey KeyAt(int position);
    }

    /// <summary>
    /// Finds a worker's position by key: open addressing with linear probing over a small int array (the key is
    /// already a good hash), kept at most half full. The same index serves a run's workers and a state's; the keys live
    /// in the owner's list, reached through a struct accessor so lookups inline.
    /// </summary>
    internal sealed class WorkerKeyIndex
    {
        private int[] _slots = new int[1024]; // position + 1, 0 when free

        public bool TryFind<TKeys>(in TKeys keys, WorkerKey key, out int position)
            where TKeys : struct, IWorkerKeys
        {
            int mask = _slots.Length - 1;
            for (int i = (int)key.Low & mask; ; i = (i + 1) & mask)
            {
                int slot = _slots[i];
                if (slot == 0)
                {
                    position = -1;
                    return false;
                }

                if (keys.KeyAt(slot - 1) == key)
                {
                    position = slot - 1;
                    return true;
                }
            }
        }

        /// <summary>Adds the worker at <paramref name="position"/>; <paramref name="count"/> workers exist, that one included.</summary>
        public void Add<TKeys>(in TKeys keys, WorkerKey key, int position, int count)
            where TKeys : struct, IWorkerKeys
        {
            if (count * 2 > _slots.Length)
            {
                // Rebuilding touches only the int array and the keys.
                _slots = new int[_slots.Length * 2];
                for (int p = 0; p < count; p++)
                {
                    if (p != position)
                    {
                        Put(keys.KeyAt(p), p);
                    }
                }
            }

            Put(key, position);
        }

        private void Put(WorkerKey key, int position)
        {
            int mask = _slots.Length - 1;
            int i = (int)key.Low & mask;
            while (_slots[i] != 0)
            {
                i = (i + 1) & mask;
            }

            _slots[i] = position + 1;
        }
    }
}
