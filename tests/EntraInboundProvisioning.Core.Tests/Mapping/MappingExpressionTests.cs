using EntraInboundProvisioning.Mapping;
using EntraInboundProvisioning.Sources;
using Xunit;

namespace EntraInboundProvisioning.Tests.Mapping
{
    public class MappingExpressionTests
    {
        private static IRecord Record(params (string, object?)[] fields)
        {
            var record = new DictionaryRecord(1);
            foreach ((string name, object? value) in fields)
            {
                record.Add(name, value);
            }

            return record;
        }

        private static readonly MappingExpression Status = MappingExpression.Column("WorkerStatus");

        [Theory]
        [InlineData("Active", true)]
        [InlineData("ACTIVE", true)]
        [InlineData("Inactive", false)]
        [InlineData("", false)]
        [InlineData(null, false)]
        public void EqualsComparesTextIgnoringCaseLikePowerShell(string? value, bool expected)
        {
            var expression = MappingExpression.Equal(Status, MappingExpression.Literal("Active"));
            Assert.Equal(expected, expression.Evaluate(Record(("workerstatus", value))));
        }

        [Fact]
        public void CaseSensitiveAndNegatedForms()
        {
            IRecord record = Record(("WorkerStatus", "ACTIVE"));
            Assert.Equal(false, MappingExpression.Equal(Status, MappingExpression.Literal("Active"), caseSensitive: true).Evaluate(record));
            Assert.Equal(false, MappingExpression.Equal(Status, MappingExpression.Literal("Active"), negate: true).Evaluate(record));
            Assert.Equal(true, MappingExpression.Equal(MappingExpression.Column("Missing"), MappingExpression.Literal(null)).Evaluate(record));
            Assert.Equal(false, MappingExpression.Equal(MappingExpression.Literal("x"), MappingExpression.Column("Missing")).Evaluate(record));
        }

        [Fact]
        public void LogicalOperatorsUseTruthinessAndShortCircuit()
        {
            IRecord record = Record(("A", "x"), ("B", ""), ("Typed", 5));
            Assert.Equal(false, MappingExpression.And(MappingExpression.Column("A"), MappingExpression.Column("B")).Evaluate(record));
            Assert.Equal(true, MappingExpression.Or(MappingExpression.Column("B"), MappingExpression.Column("A")).Evaluate(record));
            Assert.Equal(true, MappingExpression.Not(MappingExpression.Column("B")).Evaluate(record));
            // Short-circuit: the typed operand on the right is never looked at.
            Assert.Equal(false, MappingExpression.And(MappingExpression.Column("B"), MappingExpression.Column("Typed")).Evaluate(record));
            Assert.Same(MappingExpression.NotApplicable, MappingExpression.And(MappingExpression.Column("A"), MappingExpression.Column("Typed")).Evaluate(record));
        }

        [Fact]
        public void ConcatenationFollowsPowerShellPlusAndExpandableStrings()
        {
            IRecord record = Record(("First", "Ann"), ("Last", "Lee"), ("None", null));
            var plus = MappingExpression.Concat(new[] { MappingExpression.Column("First"), MappingExpression.Literal(" "), MappingExpression.Column("Last") }, isExpandableString: false);
            Assert.Equal("Ann Lee", plus.Evaluate(record));
            var expandable = MappingExpression.Concat(new[] { MappingExpression.Column("First"), MappingExpression.Literal("."), MappingExpression.Column("None"), MappingExpression.Literal("@contoso.com") }, isExpandableString: true);
            Assert.Equal("Ann.@contoso.com", expandable.Evaluate(record));
            // $null + $null is $null in PowerShell, not an empty string.
            Assert.Null(MappingExpression.Concat(new[] { MappingExpression.Column("None"), MappingExpression.Column("None") }, false).Evaluate(record));
            Assert.Equal("Lee", MappingExpression.Concat(new[] { MappingExpression.Column("None"), MappingExpression.Column("Last") }, false).Evaluate(record));
        }

        [Fact]
        public void NonTextValuesAreNotApplicableSoTheScriptblockDecides()
        {
            IRecord record = Record(("Active", true), ("Count", 3));
            Assert.Same(MappingExpression.NotApplicable, MappingExpression.Column("Active").Evaluate(record));
            Assert.Same(MappingExpression.NotApplicable, MappingExpression.Equal(MappingExpression.Column("Count"), MappingExpression.Literal("3")).Evaluate(record));
            Assert.Same(MappingExpression.NotApplicable, MappingExpression.Equal(MappingExpression.Literal(3), MappingExpression.Literal("3")).Evaluate(record));
        }

        [Fact]
        public void ComputedValueFallsBackOnlyWhenNeededAndFailsClearlyWithoutADelegate()
        {
            var noDelegate = new ComputedValue("{ $_.Active }", null, MappingExpression.Column("Active"));
            Assert.Equal("yes", noDelegate.Invoke(Record(("Active", "yes"))));
            Assert.Throws<System.InvalidOperationException>(() => noDelegate.Invoke(Record(("Active", true))));
        }
    }
}
