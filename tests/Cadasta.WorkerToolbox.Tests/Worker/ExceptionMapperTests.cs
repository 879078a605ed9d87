using Cadasta.WorkerToolbox.Worker;

namespace Cadasta.WorkerToolbox.Tests.Worker;

public sealed class ExceptionMapperTests
{
    public static TheoryData<Exception, string> Builtins => new()
    {
        { new ArgumentException("bad value"), "ValueError" },
        { new ArgumentOutOfRangeException("n", "too big"), "ValueError" },
        { new KeyNotFoundException("k"), "KeyError" },
        { new NotImplementedException("later"), "NotImplementedError" },
        { new TimeoutException("slow"), "TimeoutError" },
        { new DivideByZeroException("zero"), "ZeroDivisionError" },
    };

    [Theory]
    [MemberData(nameof(Builtins))]
    public void Exceptions_with_a_python_twin_take_its_builtin_name(Exception exception, string pythonType)
    {
        var info = ExceptionMapper.Map(exception);
        Assert.Equal(pythonType, info.Type);
        Assert.Equal("builtins", info.Module);
    }

    [Fact]
    public void Argument_exceptions_drop_the_dotnet_parameter_suffix()
    {
        var info = ExceptionMapper.Map(new ArgumentException("bad value", "x"));
        Assert.Equal(["bad value"], info.Arguments);
    }

    [Fact]
    public void Other_exceptions_keep_their_dotnet_name_with_the_namespace_as_module()
    {
        var info = ExceptionMapper.Map(new InvalidOperationException("nope"));
        Assert.Equal("InvalidOperationException", info.Type);
        Assert.Equal("System", info.Module);
        Assert.Equal(["nope"], info.Arguments);
        Assert.Equal(
            new Dictionary<string, object?> { ["exc_type"] = "InvalidOperationException", ["exc_message"] = new List<object?> { "nope" }, ["exc_module"] = "System" },
            info.ToResult());
    }

    [Fact]
    public void Nested_types_use_a_dotted_qualified_name()
    {
        var info = ExceptionMapper.Map(new Inner("x"));
        Assert.Equal("ExceptionMapperTests.Inner", info.Type);
        Assert.Equal("Cadasta.WorkerToolbox.Tests.Worker", info.Module);
    }

    [Fact]
    public void Python_exceptions_keep_the_name_module_and_arguments_given()
    {
        var info = ExceptionMapper.Map(new PythonException("LookupError", "mymodule", ["a", 1L]));
        Assert.Equal(("LookupError", "mymodule"), (info.Type, info.Module));
        Assert.Equal(["a", 1L], info.Arguments);
        Assert.EndsWith("mymodule.LookupError: ('a', 1)\n", info.Traceback, StringComparison.Ordinal);
    }

    [Fact]
    public void Traceback_ends_with_pythons_summary_line()
    {
        var info = ExceptionMapper.Map(new PythonException("ValueError", "boom"));
        Assert.StartsWith("Traceback (most recent call last):\n", info.Traceback, StringComparison.Ordinal);
        Assert.EndsWith("ValueError: boom\n", info.Traceback, StringComparison.Ordinal);
    }

    [Fact]
    public void Celery_errors_use_celerys_names_and_modules()
    {
        Assert.Equal(("NotRegistered", "celery.exceptions"), Name(CeleryErrors.NotRegistered("x.y")));
        Assert.Equal(("TaskRevokedError", "celery.exceptions"), Name(CeleryErrors.Expired()));
        Assert.Equal(("TimeLimitExceeded", "billiard.exceptions"), Name(CeleryErrors.TimeLimitExceeded(TimeSpan.FromSeconds(5))));
        Assert.Equal(["expired"], ExceptionMapper.Map(CeleryErrors.Expired()).Arguments);
        Assert.Equal([5.0], ExceptionMapper.Map(CeleryErrors.TimeLimitExceeded(TimeSpan.FromSeconds(5))).Arguments);
    }

    private static (string, string) Name(Exception exception)
    {
        var info = ExceptionMapper.Map(exception);
        return (info.Type, info.Module);
    }

    private sealed class Inner(string message) : Exception(message);
}
