using Cadasta.WorkerToolbox.Worker;

namespace Cadasta.WorkerToolbox.Tests.Worker;

public sealed class ValueConverterTests
{
    public enum OutputType
    {
        All,
        Shp,
        Xls,
        Res,
        TwoWords,
    }

    public sealed record FileInfo(string FileName, long SizeBytes, IReadOnlyList<string> Tags);

    [Fact]
    public void Integers_narrow_with_range_checks()
    {
        Assert.Equal(5, ValueConverter.ToClr(5L, typeof(int)));
        Assert.Equal(7, ValueConverter.ToClr(7.0, typeof(int)));
        Assert.Throws<InvalidCastException>(() => ValueConverter.ToClr(long.MaxValue, typeof(int)));
        Assert.Throws<InvalidCastException>(() => ValueConverter.ToClr(1.5, typeof(int)));
    }

    [Fact]
    public void Numbers_widen_to_double_and_decimal()
    {
        Assert.Equal(3.0, ValueConverter.ToClr(3L, typeof(double)));
        Assert.Equal(2.5m, ValueConverter.ToClr(2.5, typeof(decimal)));
        Assert.Equal(2.5m, ValueConverter.ToClr("2.5", typeof(decimal)));
    }

    [Fact]
    public void Strings_and_bools_are_strict()
    {
        var text = Assert.Throws<InvalidCastException>(() => ValueConverter.ToClr(1L, typeof(string)));
        Assert.Equal("must be str, not int", text.Message);
        Assert.Throws<InvalidCastException>(() => ValueConverter.ToClr("true", typeof(bool)));
        Assert.Equal(true, ValueConverter.ToClr(true, typeof(bool)));
    }

    [Fact]
    public void None_fits_only_nullable_parameters()
    {
        Assert.Null(ValueConverter.ToClr(null, typeof(long?)));
        Assert.Null(ValueConverter.ToClr(null, typeof(string)));
        Assert.Equal("must be int, not NoneType", Assert.Throws<InvalidCastException>(() => ValueConverter.ToClr(null, typeof(long))).Message);
    }

    [Fact]
    public void Enums_bind_from_names_in_any_case_or_snake_case_and_from_numbers()
    {
        Assert.Equal(OutputType.Shp, ValueConverter.ToClr("shp", typeof(OutputType)));
        Assert.Equal(OutputType.TwoWords, ValueConverter.ToClr("two_words", typeof(OutputType)));
        Assert.Equal(OutputType.Xls, ValueConverter.ToClr(2L, typeof(OutputType)));
        Assert.Throws<InvalidCastException>(() => ValueConverter.ToClr("pdf", typeof(OutputType)));
    }

    [Fact]
    public void Lists_arrays_and_dictionaries_bind_through_json()
    {
        Assert.Equal([1, 2, 3], (int[])ValueConverter.ToClr(new List<object?> { 1L, 2L, 3L }, typeof(int[]))!);
        Assert.Equal(["a", "b"], (List<string>)ValueConverter.ToClr(new List<object?> { "a", "b" }, typeof(List<string>))!);
        var map = (Dictionary<string, long>)ValueConverter.ToClr(new Dictionary<string, object?> { ["x"] = 1L }, typeof(Dictionary<string, long>))!;
        Assert.Equal(1L, map["x"]);
        Assert.Throws<InvalidCastException>(() => ValueConverter.ToClr(new Dictionary<string, object?>(), typeof(List<string>)));
    }

    [Fact]
    public void Records_bind_from_snake_case_dicts_and_return_as_them()
    {
        var dict = new Dictionary<string, object?> { ["file_name"] = "a.xls", ["size_bytes"] = 10L, ["tags"] = new List<object?> { "x" } };
        var record = (FileInfo)ValueConverter.ToClr(dict, typeof(FileInfo))!;
        Assert.Equal("a.xls", record.FileName);
        Assert.Equal(10L, record.SizeBytes);
        Assert.Equal(["x"], record.Tags);

        var back = Assert.IsType<Dictionary<string, object?>>(ValueConverter.ToJsonLike(record));
        Assert.Equal("a.xls", back["file_name"]);
        Assert.Equal(10L, back["size_bytes"]);
        Assert.Equal(new List<object?> { "x" }, back["tags"]);
    }

    [Fact]
    public void Object_typed_members_hold_plain_json_like_values_not_json_elements()
    {
        var source = new SortedDictionary<string, object?> { ["links"] = new List<object?> { new SortedDictionary<string, object?> { ["text"] = "f", ["n"] = 1L } } };
        var dict = Assert.IsType<Dictionary<string, object?>>(ValueConverter.ToClr(source, typeof(Dictionary<string, object?>)));
        var link = Assert.IsType<Dictionary<string, object?>>(Assert.Single(Assert.IsType<List<object?>>(dict["links"])));
        Assert.Equal("f", link["text"]);
        Assert.Equal(1L, link["n"]);
    }

    [Fact]
    public void Results_become_json_like_values()
    {
        Assert.Equal(3L, ValueConverter.ToJsonLike(3));
        Assert.Equal(1.5, ValueConverter.ToJsonLike(1.5f));
        Assert.Equal(2.5, ValueConverter.ToJsonLike(2.5m));
        Assert.Equal("Shp", ValueConverter.ToJsonLike(OutputType.Shp));
        Assert.Equal(new List<object?> { 1L, "a", null }, ValueConverter.ToJsonLike(new object?[] { 1, "a", null }));
        var nested = Assert.IsType<Dictionary<string, object?>>(ValueConverter.ToJsonLike(new Dictionary<string, int[]> { ["k"] = [1, 2] }));
        Assert.Equal(new List<object?> { 1L, 2L }, nested["k"]);
    }
}
