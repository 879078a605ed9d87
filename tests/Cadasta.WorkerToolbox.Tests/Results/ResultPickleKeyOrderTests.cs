using System.Collections;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cadasta.WorkerToolbox.Results;
using Cadasta.WorkerToolbox.TestSupport.Interop;
using Razorvine.Pickle;

namespace Cadasta.WorkerToolbox.Tests.Results;

/// <summary>
/// Dicts read from a pickle keep Python's insertion order. The pickles were written by Debian's
/// /usr/bin/python3 (3.11) with every protocol: tests/interop/ordered_dict_pickles.py made
/// Fixtures/python-pickles/ordered-dicts.json, whose "value" is each dict as Python's json.dumps orders it.
/// </summary>
public sealed class ResultPickleKeyOrderTests
{
    private static readonly JsonObject Fixture = (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(
        RepositoryPaths.Root, "tests", "Cadasta.WorkerToolbox.Tests", "Fixtures", "python-pickles", "ordered-dicts.json")))!;

    public static TheoryData<string, string> Pickles()
    {
        var data = new TheoryData<string, string>();
        foreach (var entry in Fixture["cases"]!.AsArray())
        {
            foreach (var protocol in entry!["pickles"]!.AsObject())
            {
                data.Add(entry["name"]!.GetValue<string>(), protocol.Key);
            }
        }

        return data;
    }

    private static JsonNode Case(string name) => Fixture["cases"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == name)!;

    private static byte[] Pickle(string name, string protocol) => Convert.FromHexString(Case(name)["pickles"]![protocol]!.GetValue<string>());

    [Theory]
    [MemberData(nameof(Pickles))]
    public void Every_dict_of_a_python_pickle_keeps_its_insertion_order(string name, string protocol)
    {
        var value = ResultPickle.Loads(Pickle(name, protocol));

        // Compared as text: the same keys in the same order at every level, and the same values.
        Assert.Equal(Case(name)["value"]!.ToJsonString(), JsonSerializer.Serialize(value));
    }

    [Fact]
    public void The_fixture_tells_orders_apart_razorvine_alone_returns_hash_order()
    {
        var expected = Case("big")["value"]!.AsObject().Select(p => p.Key).ToList();

        using var plain = new Unpickler();
        var hashed = (Hashtable)plain.loads(Pickle("big", "5"));
        Assert.Equal(expected.Order(StringComparer.Ordinal), hashed.Keys.Cast<string>().Order(StringComparer.Ordinal));
        Assert.NotEqual(expected, hashed.Keys.Cast<string>());
        Assert.NotEqual(expected.Order(StringComparer.Ordinal), expected);
    }

    [Fact]
    public void Our_own_pickles_read_back_in_the_order_written()
    {
        var written = new Dictionary<string, object?> { ["zeta"] = 1L, ["alpha"] = new Dictionary<string, object?> { ["y"] = null, ["b"] = "x" }, ["mid"] = true };

        var back = Assert.IsType<Dictionary<string, object?>>(ResultPickle.Loads(ResultPickle.Dumps(written)));

        Assert.Equal(["zeta", "alpha", "mid"], back.Keys);
        Assert.Equal(["y", "b"], Assert.IsType<Dictionary<string, object?>>(back["alpha"]).Keys);
    }

    [Fact]
    public void The_rewrite_turns_dict_opcodes_into_persistent_loads_and_drops_frames()
    {
        // pickle.dumps({'a': {}, 'b': 1}, protocol=4): PROTO 4, FRAME, EMPTY_DICT, MEMOIZE, MARK,
        // SHORT_BINUNICODE 'a', MEMOIZE, EMPTY_DICT, MEMOIZE, SHORT_BINUNICODE 'b', MEMOIZE, BININT1 1, SETITEMS, STOP.
        var pickle = Convert.FromHexString("80049511000000000000007d94288c0161947d948c0162944b01752e");
        const string NewDict = "8c046469637451";
        const string SetItemsInOrder = "6c8c056974656d7386514e73";

        var rewritten = OrderedDictUnpickler.Rewrite(pickle);

        Assert.Equal(
            "8004" + NewDict + "94" + "28" + "8c016194" + NewDict + "94" + "8c016294" + "4b01" + SetItemsInOrder + "2e",
            Convert.ToHexString(rewritten).ToLowerInvariant());
        var loaded = Assert.IsType<Dictionary<string, object?>>(ResultPickle.Loads(pickle));
        Assert.Equal(["a", "b"], loaded.Keys);
    }

    [Fact]
    public void A_pickle_with_persistent_ids_or_cut_short_is_refused()
    {
        // pickle protocol 0: PERSID 'x', STOP.
        var persistent = Convert.FromHexString("50780a2e");
        // BINUNICODE announcing 16 bytes, with 2.
        var truncated = Convert.FromHexString("80055810000000616263");

        Assert.Contains("persistent ids", Assert.Throws<ResultStoreException>(() => ResultPickle.Loads(persistent)).Message, StringComparison.Ordinal);
        Assert.Contains("ends inside", Assert.Throws<ResultStoreException>(() => ResultPickle.Loads(truncated)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_ordered_table_keeps_the_first_position_of_a_key_set_again_and_forgets_removed_keys()
    {
        var table = new InsertionOrderedHashtable { ["b"] = 1, ["a"] = 2 };
        table["b"] = 3;
        table.Add("c", 4);
        table.Remove("a");
        table["a"] = 5;

        Assert.Equal(new object[] { "b", "c", "a" }, table.Keys.Cast<object>());
        Assert.Equal(new object[] { 3, 4, 5 }, table.Values.Cast<object>());
        Assert.Equal(new object[] { "b", "c", "a" }, table.Cast<DictionaryEntry>().Select(e => e.Key));
        Assert.Equal(new object[] { "b", "c", "a" }, ((Hashtable)table.Clone()).Keys.Cast<object>());
    }
}
