using System;
using System.Collections.Generic;
using EntraInboundProvisioning.Sources;

namespace EntraInboundProvisioning.Scim
{
    /// <summary>
    /// Whole runs of a <see cref="BulkRequestConverter"/> in one call, for callers that hold their records (tests,
    /// benchmarks, scripts): the cmdlets drive the converter through <see cref="ConversionRun"/> instead.
    /// </summary>
    public static class BulkRequestConverterRuns
    {
        /// <summary>
        /// Converts records as they stream (as pipeline input is): each request as soon as it is complete, then the
        /// rest when the input ends.
        /// </summary>
        public static IEnumerable<BulkRequest> ConvertAll(this BulkRequestConverter converter, IEnumerable<IRecord> records)
        {
            foreach (IRecord record in records)
            {
                converter.Add(record);
                while (converter.TryTake(out BulkRequest? request))
                {
                    yield return request!;
                }
            }

            foreach (BulkRequest request in converter.CompleteAndTakeAll())
            {
                yield return request;
            }
        }

        /// <summary>
        /// Converts an input that can be read again (a file) as ConvertTo-ScimBulkRequest -Path does: when the run
        /// wants an index (managers, a state), a first reading indexes it and the second converts.
        /// </summary>
        public static IEnumerable<BulkRequest> ConvertAll(this BulkRequestConverter converter, Func<IEnumerable<IRecord>> read)
        {
            if (converter.WantsIndex)
            {
                foreach (IRecord record in read())
                {
                    converter.Index(record);
                }

                converter.EndIndex();
            }

            foreach (BulkRequest request in converter.ConvertAll(read()))
            {
                yield return request;
            }
        }

        /// <summary>Completes the run and returns every request still to take.</summary>
        public static IEnumerable<BulkRequest> CompleteAndTakeAll(this BulkRequestConverter converter)
        {
            converter.Complete();
            while (converter.TryTake(out BulkRequest? request))
            {
                yield return request!;
            }
        }
    }
}
