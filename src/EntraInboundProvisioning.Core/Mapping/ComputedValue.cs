using System;
using System.Collections.Generic;
using System.Linq;
using EntraInboundProvisioning.Sources;

namespace EntraInboundProvisioning.Mapping
{
    /// <summary>
    /// A computed value: the scriptblock's text, an optional compiled expression for the common pure forms
    /// (evaluated without PowerShell), and a delegate that evaluates the original on the pipeline thread.
    /// </summary>
    public sealed class ComputedValue
    {
        /// <summary>Creates a computed value.</summary>
        public ComputedValue(string text, Func<IRecord, object?>? evaluate, MappingExpression? expression = null)
        {
            if (evaluate is null && expression is null)
            {
                throw new ArgumentException("A computed value needs a delegate or an expression.");
            }

            Text = text;
            Evaluate = evaluate;
            Expression = expression;
        }

        /// <summary>The source text, for messages.</summary>
        public string Text { get; }

        /// <summary>Evaluates the original scriptblock; null when only the expression exists.</summary>
        public Func<IRecord, object?>? Evaluate { get; }

        /// <summary>A compiled form of the scriptblock, when it is one of the pure forms Core understands.</summary>
        public MappingExpression? Expression { get; }

        /// <summary>Evaluates the value: the compiled expression where it applies, the delegate otherwise.</summary>
        public object? Invoke(IRecord record)
        {
            if (Expression is not null)
            {
                object? result = Expression.Evaluate(record);
                if (!ReferenceEquals(result, MappingExpression.NotApplicable))
                {
                    return result;
                }

                if (Evaluate is null)
                {
                    throw new InvalidOperationException($"The expression {Text} cannot be evaluated for this record without PowerShell.");
                }
            }

            return Evaluate!(record);
        }
    }
}
