using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Cadasta.WorkerToolbox.Tests.Security;

/// <summary>
/// Reads C# as syntax and finds SQL text built from anything but literals and reviewed
/// identifiers: in every method that holds SQL text, each interpolation hole, each operand of a
/// <c>+</c> and each <c>Append</c> argument must be a literal or one of <see cref="ReviewedFragments"/>
/// (table and column names checked where they are set, constants, placeholders). Values must
/// travel as command parameters: anything else is reported.
/// </summary>
internal static partial class SqlConstructionCheck
{
    /// <summary>
    /// Expressions allowed inside SQL text, each reviewed: none can carry a value from a message or a user.
    /// A key <c>File.cs:expression</c> allows it in that file only.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, string> ReviewedFragments = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["_table"] = "SqlTaskRecordStore: its constructor accepts only ASCII letters, digits and '_'",
        ["Columns"] = "SqlTaskRecordStore: a constant column list",
        ["Columns.Replace(\", \", \", r.\", StringComparison.Ordinal)"] = "the constant column list, prefixed",
        ["ResultTableName"] = "SqlTaskRecordStore: the constant celery_taskmeta",
        ["Pending"] = "SqlTaskRecordStore: the constant state PENDING",
        ["records"] = "SqlTaskRecordStore: built right above from _table and orderBy",
        ["where"] = "SqlTaskRecordStore: its callers pass constant clauses whose value is the @key parameter",
        ["orderBy"] = "SqlTaskRecordStore: its callers pass constant column lists",
        ["idColumn"] = "SqlTaskRecordStore: a constant per SQL dialect",
        ["integerType"] = "SqlTaskRecordStore: a constant per SQL dialect",
        ["createdType"] = "SqlTaskRecordStore: a constant per SQL dialect",
        ["SchemaLockKey"] = "PostgresResultDatabase: a constant advisory lock key",
        ["SqlTaskRecordStore.cs:name"] = "SqlTaskRecordStore.InsertAsync: the placeholder @pN of the parameter holding the value",
        ["Into"] = "ResultUpsertSql: the table (and alias) of the dialect, a constant",
        ["Existing"] = "ResultUpsertSql: the alias of the stored row, a constant",
        ["Excluded"] = "ResultUpsertSql: the alias of the proposed row, a constant",
        ["DiffersFrom"] = "ResultUpsertSql: the dialect's null-safe inequality operator, a constant",
        ["id.Column"] = "ResultUpsertSql: the id column name of the dialect, a constant",
        ["idValue.Value"] = "ResultUpsertSql: the dialect's next-id expression (a sequence call), a constant",
        ["column"] = "ResultUpsertSql: iterates over constant column names",
        ["changed"] = "ResultUpsertSql: built in the same loop from constant column names",
        ["ResultTableShape.ExtendedColumnNames"] = "a constant list of Celery's extended column names",
        ["ResultTableShape.ExtendedColumnNames.Select(Parameter)"] = "placeholders of the constant extended column names",
        ["SqlTaskRecordStore.cs:binaryCollation"] = "SqlTaskRecordStore: a constant collation clause per SQL dialect",
        ["TaskRecordBrowser.cs:Table"] = "TaskRecordBrowser: the constant cadasta_task_record",
        ["TaskRecordBrowser.cs:ResultTable"] = "TaskRecordBrowser: the constant celery_taskmeta",
        ["TaskStates.Pending"] = "the constant state PENDING",
        ["TaskStates.Success"] = "the constant state SUCCESS",
        ["TaskStates.Failure"] = "the constant state FAILURE",
        ["TaskStates.Revoked"] = "the constant state REVOKED",
        ["TaskRecordBrowser.cs:string.Join(\" AND \", where)"] = "TaskRecordBrowser: constant filter clauses whose values are @parameters",
        ["TaskRecordBrowser.cs:minute"] = "TaskRecordBrowser: a constant minute expression per SQL dialect",
        ["TaskRecordBrowser.cs:SelectSql(joined)"] = "TaskRecordBrowser: constant select lists (SelectSql)",
        ["TaskRecordBrowser.cs:columns"] = "TaskRecordBrowser.SelectSql: the constant column list, prefixed",
    };

    private static readonly Regex SqlText = SqlPattern();

    /// <summary>The violations in one source text, as "file:line: expression".</summary>
    public static IEnumerable<string> Check(string path, string source)
    {
        var root = CSharpSyntaxTree.ParseText(source, path: path).GetRoot();
        foreach (var member in root.DescendantNodes().OfType<MemberDeclarationSyntax>().Where(m => m is BaseMethodDeclarationSyntax or PropertyDeclarationSyntax or FieldDeclarationSyntax))
        {
            if (!member.DescendantNodes().Any(IsSqlText))
            {
                continue;
            }

            foreach (var fragment in Fragments(member))
            {
                if (!IsLiteral(fragment, Path.GetFileName(path)))
                {
                    yield return $"{path}:{fragment.GetLocation().GetLineSpan().StartLinePosition.Line + 1}: {fragment}";
                }
            }
        }
    }

    private static bool IsSqlText(SyntaxNode node) => node switch
    {
        LiteralExpressionSyntax literal when literal.IsKind(SyntaxKind.StringLiteralExpression) => SqlText.IsMatch(literal.Token.ValueText),
        InterpolatedStringExpressionSyntax interpolated => SqlText.IsMatch(string.Concat(interpolated.Contents.OfType<InterpolatedStringTextSyntax>().Select(t => t.TextToken.ValueText))),
        _ => false,
    };

    // What goes into SQL text: holes of SQL interpolations, operands of + next to SQL, Append arguments.
    private static IEnumerable<ExpressionSyntax> Fragments(MemberDeclarationSyntax member)
    {
        foreach (var node in member.DescendantNodes())
        {
            switch (node)
            {
                case InterpolatedStringExpressionSyntax interpolated when IsSqlText(interpolated):
                    foreach (var hole in interpolated.Contents.OfType<InterpolationSyntax>())
                    {
                        yield return hole.Expression;
                    }

                    break;
                case BinaryExpressionSyntax binary when binary.IsKind(SyntaxKind.AddExpression) && (IsSqlText(binary.Left) || IsSqlText(binary.Right)):
                    yield return binary.Left;
                    yield return binary.Right;
                    break;
                case InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Append" or "AppendJoin" } } append:
                    foreach (var argument in append.ArgumentList.Arguments)
                    {
                        yield return argument.Expression;
                    }

                    break;
            }
        }
    }

    private static bool IsLiteral(ExpressionSyntax expression, string file) =>
        expression is LiteralExpressionSyntax
        || ReviewedFragments.ContainsKey(expression.ToString())
        || ReviewedFragments.ContainsKey(file + ":" + expression)
        || expression.ToString() == "string.Empty"
        || (expression is InvocationExpressionSyntax { Expression: IdentifierNameSyntax { Identifier.ValueText: "Parameter" } } placeholder && placeholder.ArgumentList.Arguments.All(a => IsLiteral(a.Expression, file)))
        || (expression is ParenthesizedExpressionSyntax parenthesized && IsLiteral(parenthesized.Expression, file))
        || (expression is ConditionalExpressionSyntax conditional && IsLiteral(conditional.WhenTrue, file) && IsLiteral(conditional.WhenFalse, file))
        || (expression is InterpolatedStringExpressionSyntax interpolated && interpolated.Contents.OfType<InterpolationSyntax>().All(h => IsLiteral(h.Expression, file)))
        || (expression is BinaryExpressionSyntax binary && binary.IsKind(SyntaxKind.AddExpression) && IsLiteral(binary.Left, file) && IsLiteral(binary.Right, file));

    [GeneratedRegex(@"\b(SELECT\s.+\sFROM|INSERT\s+INTO|UPDATE\s+\w+\s+SET|DELETE\s+FROM|CREATE\s+(UNIQUE\s+)?(TABLE|INDEX)|ALTER\s+TABLE|DROP\s+TABLE|WHERE\s|VALUES\s*\(|pg_advisory)", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex SqlPattern();
}
