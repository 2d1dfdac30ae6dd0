using System.Collections.Generic;
using System.Linq;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>
    /// Which row of a repeated worker a run sends (-DuplicateExternalId): the last, as the service would end with it; the
    /// first; or none, when repeats are an error. Each repeat is reported naming both rows; under Error every repeated
    /// worker is reported with all its rows, then nothing is converted.
    /// </summary>
    internal sealed class RowChoice
    {
        private readonly DuplicateExternalIdHandling _policy;
        private readonly WorkerRegistry _workers;
        private readonly RowPlaces _places;
        private readonly System.Action<ConversionDiagnostic> _report;
        private readonly Dictionary<int, List<(int Source, long Row)>>? _repeats;
        private readonly Dictionary<int, string> _repeatNames = new Dictionary<int, string>();

        public RowChoice(DuplicateExternalIdHandling policy, WorkerRegistry workers, RowPlaces places, System.Action<ConversionDiagnostic> report)
        {
            _policy = policy;
            _workers = workers;
            _places = places;
            _report = report;
            _repeats = policy == DuplicateExternalIdHandling.Error ? new Dictionary<int, List<(int, long)>>() : null;
        }

        /// <summary>Rows left out because another row of the same worker was chosen.</summary>
        public long Superseded { get; private set; }

        /// <summary>Finds or adds the worker and says whether this row is the one to send, reporting a repeat.</summary>
        public int Register(WorkerKey key, string externalId, string? source, long row, long ordinal, out bool chosen)
        {
            int sourceIndex = _places.IndexOf(source);
            if (!_workers.Find(key, out int w))
            {
                w = _workers.Add(new Worker { Key = key, Chosen = ordinal, Source = sourceIndex, Row = row, FirstWaiter = WorkerRegistry.None, ChosenHeld = WorkerRegistry.None });
                if (_repeats is not null)
                {
                    _repeatNames[w] = externalId;
                }

                chosen = true;
                return w;
            }

            ref Worker worker = ref _workers[w];
            string here = _places.Where(sourceIndex, row);
            string there = _places.Where(worker.Source, worker.Row);
            switch (_policy)
            {
                case DuplicateExternalIdHandling.First:
                    Superseded++;
                    chosen = false;
                    _report(new ConversionDiagnostic(DiagnosticSeverity.Warning, "DuplicateExternalId", $"{RowPlaces.Capital(here)}: externalId '{externalId}' repeats {there}; the first row wins (-DuplicateExternalId First), so {here} is left out.", source, row, "externalId", externalId));
                    return w;
                case DuplicateExternalIdHandling.Error:
                    if (!_repeats!.TryGetValue(w, out List<(int, long)>? rows))
                    {
                        rows = new List<(int, long)> { (worker.Source, worker.Row) };
                        _repeats.Add(w, rows);
                    }

                    rows.Add((sourceIndex, row));
                    chosen = false;
                    return w;
                default:
                    Superseded++;
                    _report(new ConversionDiagnostic(DiagnosticSeverity.Warning, "DuplicateExternalId", $"{RowPlaces.Capital(here)}: externalId '{externalId}' repeats {there}; the last row wins, as it would at the service, so {there} is left out.", source, row, "externalId", externalId));
                    worker.Chosen = ordinal;
                    worker.Source = sourceIndex;
                    worker.Row = row;
                    chosen = true;
                    return w;
            }
        }

        /// <summary>True when the row with this ordinal is the worker's chosen one (the second pass).</summary>
        public bool IsChosen(WorkerKey key, long ordinal, out int w) => _workers.Find(key, out w) && _workers[w].Chosen == ordinal;

        /// <summary>Under the Error policy, reports every repeated worker with its rows and throws.</summary>
        /// <exception cref="DuplicateExternalIdException">Some worker repeats.</exception>
        public void ThrowOnRepeats()
        {
            if (_repeats is null || _repeats.Count == 0)
            {
                return;
            }

            foreach (KeyValuePair<int, List<(int Source, long Row)>> repeat in _repeats)
            {
                (int source, long row) = repeat.Value[0];
                string externalId = _repeatNames[repeat.Key];
                _report(new ConversionDiagnostic(DiagnosticSeverity.Error, "DuplicateExternalId", $"externalId '{externalId}' appears in {repeat.Value.Count} rows: {_places.Rows(repeat.Value)}.", _places.SourceOf(source), row, "externalId", externalId));
            }

            int workers = _repeats.Count;
            int rows = _repeats.Values.Sum(r => r.Count);
            _repeats.Clear();
            throw new DuplicateExternalIdException(workers, rows);
        }
    }
}
