using System;

namespace EntraInboundProvisioning.Internal
{
    /// <summary>A min-heap of items by ordinal: released operations go out in input order.</summary>
    internal sealed class OrdinalHeap
    {
        private (long Ordinal, int Item)[] _items = new (long, int)[64];

        public int Count { get; private set; }

        public void Push(int item, long ordinal)
        {
            if (Count == _items.Length)
            {
                Array.Resize(ref _items, _items.Length * 2);
            }

            int i = Count++;
            while (i > 0)
            {
                int parent = (i - 1) / 2;
                if (_items[parent].Ordinal <= ordinal)
                {
                    break;
                }

                _items[i] = _items[parent];
                i = parent;
            }

            _items[i] = (ordinal, item);
        }

        /// <summary>Removes and returns the item with the lowest ordinal.</summary>
        public int Pop()
        {
            int top = _items[0].Item;
            (long Ordinal, int Item) last = _items[--Count];
            int i = 0;
            while (true)
            {
                int child = (2 * i) + 1;
                if (child >= Count)
                {
                    break;
                }

                if (child + 1 < Count && _items[child + 1].Ordinal < _items[child].Ordinal)
                {
                    child++;
                }

                if (_items[child].Ordinal >= last.Ordinal)
                {
                    break;
                }

                _items[i] = _items[child];
                i = child;
            }

            _items[i] = last;
            return top;
        }
    }
}
