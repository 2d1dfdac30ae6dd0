using System;
using System.Collections.Generic;
using System.Management.Automation.Language;
using EntraInboundProvisioning.Mapping;

namespace EntraInboundProvisioning.PowerShell.Mapping
{
    /// <summary>
    /// Translates the pure scriptblock forms common in mapping files into Core expressions, so a million rows do
    /// not pay for a million pipeline invocations: literals, <c>$_.Column</c>, -eq/-ne (and -ieq/-ceq…),
    /// -and/-or/-not, '+' and double-quoted strings with <c>$(...)</c>. Anything else returns null and the
    /// scriptblock itself runs; operands that are not text make the expression defer to the scriptblock at run time.
    /// </summary>
    internal static class ScriptBlockTranslator
    {
        public static MappingExpression? Translate(ScriptBlockAst ast)
        {
            if (ast.ParamBlock is not null || ast.BeginBlock is not null || ast.ProcessBlock is not null || ast.DynamicParamBlock is not null || ast.EndBlock is null)
            {
                return null;
            }

            if (ast.EndBlock.Traps is not null && ast.EndBlock.Traps.Count > 0)
            {
                return null;
            }

            return ast.EndBlock.Statements.Count == 1 ? TranslateStatement(ast.EndBlock.Statements[0]) : null;
        }

        private static MappingExpression? TranslateStatement(StatementAst statement)
        {
            if (statement is PipelineAst pipeline && pipeline.PipelineElements.Count == 1
                && pipeline.PipelineElements[0] is CommandExpressionAst command && command.Redirections.Count == 0)
            {
                return TranslateExpression(command.Expression);
            }

            return null;
        }

        private static MappingExpression? TranslateExpression(ExpressionAst expression)
        {
            switch (expression)
            {
                case StringConstantExpressionAst s when s.StringConstantType != StringConstantType.BareWord:
                    return MappingExpression.Literal(s.Value);
                case ExpandableStringExpressionAst e:
                    return TranslateExpandable(e);
                case ConstantExpressionAst c:
                    return MappingExpression.Literal(c.Value);
                case VariableExpressionAst v when v.VariablePath.IsUnqualified || v.VariablePath.IsVariable:
                    return v.VariablePath.UserPath.ToUpperInvariant() switch
                    {
                        "TRUE" => MappingExpression.Literal(true),
                        "FALSE" => MappingExpression.Literal(false),
                        "NULL" => MappingExpression.Literal(null),
                        _ => null,
                    };
                case InvokeMemberExpressionAst:
                    return null;
                case MemberExpressionAst m when !m.Static && IsDollarUnderbar(m.Expression) && m.Member is StringConstantExpressionAst name:
                    return MappingExpression.Column(name.Value);
                case BinaryExpressionAst b:
                    return TranslateBinary(b);
                case UnaryExpressionAst u when u.TokenKind is TokenKind.Not or TokenKind.Exclaim:
                    MappingExpression? operand = TranslateExpression(u.Child);
                    return operand is null ? null : MappingExpression.Not(operand);
                case ParenExpressionAst p:
                    return TranslateStatement(p.Pipeline);
                case SubExpressionAst sub when sub.SubExpression.Statements.Count == 1 && (sub.SubExpression.Traps is null || sub.SubExpression.Traps.Count == 0):
                    return TranslateStatement(sub.SubExpression.Statements[0]);
                default:
                    return null;
            }
        }

        private static MappingExpression? TranslateBinary(BinaryExpressionAst b)
        {
            MappingExpression? left = TranslateExpression(b.Left);
            MappingExpression? right = left is null ? null : TranslateExpression(b.Right);
            if (left is null || right is null)
            {
                return null;
            }

            return b.Operator switch
            {
                TokenKind.Ieq => MappingExpression.Equal(left, right),
                TokenKind.Ceq => MappingExpression.Equal(left, right, caseSensitive: true),
                TokenKind.Ine => MappingExpression.Equal(left, right, negate: true),
                TokenKind.Cne => MappingExpression.Equal(left, right, caseSensitive: true, negate: true),
                TokenKind.And => MappingExpression.And(left, right),
                TokenKind.Or => MappingExpression.Or(left, right),
                TokenKind.Plus => MappingExpression.Concat(new[] { left, right }, isExpandableString: false),
                _ => null,
            };
        }

        /// <summary>
        /// "text $($_.A) more": literal runs between the nested expressions are taken from the source text, so only
        /// strings whose literal runs hold no escapes or variables are translated.
        /// </summary>
        private static MappingExpression? TranslateExpandable(ExpandableStringExpressionAst e)
        {
            if (e.StringConstantType != StringConstantType.DoubleQuoted)
            {
                return null;
            }

            string text = e.Extent.Text;
            int start = e.Extent.StartOffset;
            var parts = new List<MappingExpression>();
            int position = 1; // after the opening quote
            foreach (ExpressionAst nested in e.NestedExpressions)
            {
                int nestedStart = nested.Extent.StartOffset - start;
                if (!AddLiteral(parts, text, position, nestedStart))
                {
                    return null;
                }

                MappingExpression? part = TranslateExpression(nested);
                if (part is null)
                {
                    return null;
                }

                parts.Add(part);
                position = nested.Extent.EndOffset - start;
            }

            if (!AddLiteral(parts, text, position, text.Length - 1))
            {
                return null;
            }

            if (parts.Count == 0)
            {
                return MappingExpression.Literal(string.Empty);
            }

            if (parts.Count == 1)
            {
                parts.Insert(0, MappingExpression.Literal(string.Empty));
            }

            return MappingExpression.Concat(parts, isExpandableString: true);
        }

        private static bool AddLiteral(List<MappingExpression> parts, string text, int from, int to)
        {
            if (to < from)
            {
                return false;
            }

            string literal = text.Substring(from, to - from);
            if (literal.IndexOf('`') >= 0 || literal.IndexOf('$') >= 0 || literal.IndexOf('"') >= 0 || literal.IndexOf('\u201C') >= 0 || literal.IndexOf('\u201D') >= 0)
            {
                return false;
            }

            if (literal.Length > 0)
            {
                parts.Add(MappingExpression.Literal(literal));
            }

            return true;
        }

        private static bool IsDollarUnderbar(ExpressionAst expression)
            => expression is VariableExpressionAst v
               && (string.Equals(v.VariablePath.UserPath, "_", StringComparison.Ordinal) || string.Equals(v.VariablePath.UserPath, "PSItem", StringComparison.OrdinalIgnoreCase));
    }
}
