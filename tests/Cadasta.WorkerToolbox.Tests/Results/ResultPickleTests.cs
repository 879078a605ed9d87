using System.Numerics;
using Cadasta.WorkerToolbox.Python;
using Cadasta.WorkerToolbox.Results;
using Razorvine.Pickle;

namespace Cadasta.WorkerToolbox.Tests.Results;

public class ResultPickleTests
{
    // Captured from /usr/bin/python3 (3.11): pickle.dumps(value, protocol=5) unless named otherwise.
    private const string Int3 = "80054b032e";
    private const string Int31 = "80059506000000000000004affffff7f2e";
    private const string Int40 = "80059509000000000000008a060000000000012e";
    private const string Int70 = "8005950c000000000000008a090000000000000000402e";
    private const string Int70Protocol0 = "4c313138303539313632303731373431313330333432344c0a2e";
    private const string Negative7 = "80059506000000000000004af9ffffff2e";
    private const string Float314 = "8005950a000000000000004740091eb851eb851f2e";
    private const string Unicode = "8005950e000000000000008c0a68c3a96c6c6f20e29c93942e";
    private const string NoneValue = "80054e2e";
    private const string TrueValue = "8005882e";
    private const string Nested = "8005952d000000000000007d94288c0161945d94284b014740040000000000004e888c0178947d948c0162945d9473658c0163947d94752e";
    private const string NestedProtocol0 = "286470300a56610a70310a286c70320a49310a6146322e350a614e614930310a6156780a70330a61286470340a56620a70350a286c70360a73617356630a70370a286470380a732e";
    private const string Tuple = "80059509000000000000004b018c01619486942e";
    private const string Set = "80059507000000000000008f94284b05902e";
    private const string IntKeys = "8005950c000000000000007d944b018c036f6e6594732e";
    private const string AwareDatetime = "80059557000000000000008c086461746574696d65948c086461746574696d65949394430a07e801020304050000009468008c0874696d657a6f6e6594939468008c0974696d6564656c74619493944b004b004b008794529485945294869452942e";
    private const string CeleryFailure = "8005954e000000000000007d94288c086578635f74797065948c0a56616c75654572726f72948c0b6578635f6d657373616765948c04626f6f6d944b0586948c0a6578635f6d6f64756c65948c086275696c74696e7394752e";

    public static TheoryData<object?> JsonLikeValues() => new()
    {
        null,
        true,
        false,
        0L,
        42L,
        -7L,
        long.MaxValue,
        long.MinValue,
        3.14,
        2.0,
        double.NaN,
        1e-300,
        "",
        "héllo ✓ 日本",
        new List<object?>(),
        new List<object?> { 1L, "two", 3.0, null, true, new List<object?> { new Dictionary<string, object?>() } },
        new Dictionary<string, object?>(),
        new Dictionary<string, object?> { ["links"] = new List<object?> { new Dictionary<string, object?> { ["text"] = "f.zip", ["url"] = "http://z/1" } }, ["n"] = null },
    };

    [Theory]
    [MemberData(nameof(JsonLikeValues))]
    public void Every_json_like_value_survives_a_round_trip(object? value)
    {
        var pickle = ResultPickle.Dumps(value);

        Assert.Equal(0x80, pickle[0]);
        Assert.Equal(2, pickle[1]);
        var back = ResultPickle.Loads(pickle);
        if (value is double number && double.IsNaN(number))
        {
            Assert.True(back is double d && double.IsNaN(d));
        }
        else
        {
            Assert.True(JsonLikeEquality.ValueEquals(value, back), $"{PythonRepr.Repr(value)} came back as {PythonRepr.Repr(back)}");
            Assert.Equal(value?.GetType() is { IsGenericType: true } t ? t.GetGenericTypeDefinition() : value?.GetType(),
                back?.GetType() is { IsGenericType: true } u ? u.GetGenericTypeDefinition() : back?.GetType());
        }
    }

    [Fact]
    public void Clr_integers_of_every_width_and_float_are_written_as_python_int_and_float()
    {
        var value = new Dictionary<string, object?> { ["i"] = 5, ["s"] = (short)-2, ["b"] = (byte)7, ["u"] = 9u, ["f"] = 1.5f, ["c"] = 'x' };

        var back = Assert.IsType<Dictionary<string, object?>>(ResultPickle.Loads(ResultPickle.Dumps(value)));

        Assert.Equal(5L, back["i"]);
        Assert.Equal(-2L, back["s"]);
        Assert.Equal(7L, back["b"]);
        Assert.Equal(9L, back["u"]);
        Assert.Equal(1.5, back["f"]);
        Assert.Equal("x", back["c"]);
    }

    [Fact]
    public void Arrays_and_read_only_collections_are_written_as_lists_not_tuples_or_arrays()
    {
        IReadOnlyList<object?> readOnly = new object?[] { 1, 2 };
        var value = new Dictionary<string, object?> { ["ints"] = new[] { 1, 2, 3 }, ["ro"] = readOnly, ["set"] = new HashSet<string> { "a" } };

        var pickle = ResultPickle.Dumps(value);

        using var unpickler = new Unpickler();
        var raw = (System.Collections.Hashtable)unpickler.loads(pickle);
        Assert.IsType<System.Collections.ArrayList>(raw["ints"]);
        Assert.IsType<System.Collections.ArrayList>(raw["ro"]);
        Assert.IsType<System.Collections.ArrayList>(raw["set"]);
    }

    [Fact]
    public void Guid_and_DateTimeOffset_which_crash_razorvine_are_converted_first()
    {
        var id = Guid.NewGuid();
        var moment = new DateTimeOffset(2024, 1, 2, 5, 4, 5, 678, TimeSpan.FromHours(2));

        var back = Assert.IsType<List<object?>>(ResultPickle.Loads(ResultPickle.Dumps(new object[] { id, moment })));

        Assert.Equal(id.ToString(), back[0]);
        Assert.Equal(new DateTime(2024, 1, 2, 3, 4, 5, 678), back[1]);
    }

    [Fact]
    public void Values_that_are_not_json_like_are_refused_with_a_clear_message()
    {
        var error = Assert.Throws<ArgumentException>(() => ResultPickle.Dumps(new { A = 1 }));
        Assert.Contains("JSON-like", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ResultPickle.Dumps(BigInteger.Pow(2, 70)));
        Assert.Equal(5L, ResultPickle.Loads(ResultPickle.Dumps(new BigInteger(5))));
    }

    [Theory]
    [InlineData(Int3, 3L)]
    [InlineData(Int31, 2147483647L)]
    [InlineData(Int40, 1099511627776L)]
    [InlineData(Negative7, -7L)]
    [InlineData(Float314, 3.14)]
    [InlineData(Unicode, "héllo ✓")]
    [InlineData(NoneValue, null)]
    [InlineData(TrueValue, true)]
    public void Python_protocol_5_scalars_map_to_json_like_clr_values(string hex, object? expected)
    {
        Assert.Equal(expected, ResultPickle.Loads(Convert.FromHexString(hex)));
    }

    [Fact]
    public void Python_ints_beyond_64_bits_come_back_as_BigInteger_in_every_protocol()
    {
        Assert.Equal(BigInteger.Pow(2, 70), ResultPickle.Loads(Convert.FromHexString(Int70)));
        Assert.Equal(BigInteger.Pow(2, 70), ResultPickle.Loads(Convert.FromHexString(Int70Protocol0)));
    }

    [Theory]
    [InlineData(Nested)]
    [InlineData(NestedProtocol0)]
    public void Python_dicts_and_lists_map_to_Dictionary_and_List(string hex)
    {
        var value = Assert.IsType<Dictionary<string, object?>>(ResultPickle.Loads(Convert.FromHexString(hex)));

        var list = Assert.IsType<List<object?>>(value["a"]);
        Assert.Equal(new object?[] { 1L, 2.5, null, true, "x" }, list.Take(5));
        var inner = Assert.IsType<Dictionary<string, object?>>(list[5]);
        Assert.Empty(Assert.IsType<List<object?>>(inner["b"]));
        Assert.Empty(Assert.IsType<Dictionary<string, object?>>(value["c"]));
    }

    [Fact]
    public void Python_tuples_and_sets_become_lists_and_int_keys_become_text()
    {
        Assert.Equal(new List<object?> { 1L, "a" }, ResultPickle.Loads(Convert.FromHexString(Tuple)));
        Assert.Equal(new List<object?> { 5L }, ResultPickle.Loads(Convert.FromHexString(Set)));
        var keyed = Assert.IsType<Dictionary<string, object?>>(ResultPickle.Loads(Convert.FromHexString(IntKeys)));
        Assert.Equal("one", keyed["1"]);
    }

    [Fact]
    public void A_timezone_aware_datetime_is_reported_clearly()
    {
        var error = Assert.Throws<ResultStoreException>(() => ResultPickle.Loads(Convert.FromHexString(AwareDatetime)));

        Assert.Contains("timezone-aware datetime", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Celerys_failure_dict_is_read_as_a_TaskError()
    {
        var error = ResultPickle.ErrorFromValue(ResultPickle.Loads(Convert.FromHexString(CeleryFailure)));

        Assert.NotNull(error);
        Assert.Equal("ValueError", error.ExceptionType);
        Assert.Equal("builtins", error.ExceptionModule);
        Assert.Equal(new object?[] { "boom", 5L }, error.Arguments);
        Assert.Equal("('boom', 5)", error.Message);
    }

    [Fact]
    public void Our_failure_dict_has_celerys_keys_in_celerys_order_and_a_tuple_message()
    {
        var pickle = ResultPickle.DumpsError(new TaskError("ValueError", "builtins", ["boom", 5L]));

        using var unpickler = new Unpickler();
        var raw = (System.Collections.Hashtable)unpickler.loads(pickle);
        Assert.Equal("ValueError", raw["exc_type"]);
        Assert.Equal("builtins", raw["exc_module"]);
        Assert.Equal(new object[] { "boom", 5 }, Assert.IsType<object[]>(raw["exc_message"]));
        var text = System.Text.Encoding.Latin1.GetString(pickle);
        Assert.True(text.IndexOf("exc_type", StringComparison.Ordinal) < text.IndexOf("exc_message", StringComparison.Ordinal));
        Assert.True(text.IndexOf("exc_message", StringComparison.Ordinal) < text.IndexOf("exc_module", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(new object[] { }, "")]
    [InlineData(new object[] { "boom" }, "boom")]
    [InlineData(new object[] { 5L }, "5")]
    [InlineData(new object?[] { "it's", null, true, 1.0 }, "(\"it's\", None, True, 1.0)")]
    public void TaskError_message_is_what_python_str_shows(object?[] arguments, string expected)
    {
        Assert.Equal(expected, new TaskError("E", "m", arguments).Message);
    }

    [Fact]
    public void Json_elements_are_written_as_their_json_values()
    {
        using var document = System.Text.Json.JsonDocument.Parse("""{"n": 1, "f": 1.5, "s": "x", "l": [true, null], "o": {}}""");

        var back = Assert.IsType<Dictionary<string, object?>>(ResultPickle.Loads(ResultPickle.Dumps(document.RootElement)));

        Assert.Equal(1L, back["n"]);
        Assert.Equal(1.5, back["f"]);
        Assert.Equal("x", back["s"]);
        Assert.Equal(new List<object?> { true, null }, back["l"]);
        Assert.Empty(Assert.IsType<Dictionary<string, object?>>(back["o"]));
    }

    [Fact]
    public void A_dotnet_exception_is_described_by_its_type_namespace_and_message()
    {
        var error = TaskError.FromException(new InvalidOperationException("no way"));

        Assert.Equal(("InvalidOperationException", "System", "no way"), (error.ExceptionType, error.ExceptionModule, error.Message));
    }
}
