using System.Numerics;
using Cadasta.WorkerToolbox.Protocol;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Cadasta.WorkerToolbox.Tests.Protocol;

/// <summary>Encode then decode is the identity for arbitrary JSON-like args and kwargs.</summary>
public sealed class RoundTripPropertyTests
{
    private static readonly Gen<int> CodePoint = Gen.Frequency(
        (6, Gen.Choose(0x20, 0x7E)),
        (1, Gen.Choose(0x00, 0x1F)),
        (2, Gen.Choose(0x80, 0xD7FF)),
        (1, Gen.Choose(0xE000, 0xFFFF)),
        (2, Gen.Choose(0x10000, 0x10FFFF)),
        (1, Gen.Choose(0xD800, 0xDFFF))); // lone surrogates: Python strings can hold them too

    private static readonly Gen<string> Text = CodePoint.ListOf().Select(points =>
        string.Concat(points.Select(p => p is >= 0xD800 and <= 0xDFFF ? ((char)p).ToString() : char.ConvertFromUtf32(p))));

    private static readonly Gen<object?> Scalar = Gen.OneOf(
        Gen.Constant<object?>(null),
        ArbMap.Default.GeneratorFor<bool>().Select(b => (object?)b),
        ArbMap.Default.GeneratorFor<long>().Select(l => (object?)l),
        Gen.Elements(long.MinValue, long.MaxValue, 0L, -1L).Select(l => (object?)l),
        ArbMap.Default.GeneratorFor<double>().Select(d => (object?)d),
        Gen.Elements(1e16, 1e-7, -0.0, 0.1, 5e-324, double.MaxValue, 1e22, 123456789.125).Select(d => (object?)d),
        ArbMap.Default.GeneratorFor<long>().Select(l => (object?)(BigInteger.Pow(2, 64) * (l == 0 ? 1 : l) + l)),
        Text.Select(s => (object?)s));

    private static Gen<object?> Value(int size) => size <= 0
        ? Scalar
        : Gen.Frequency(
            (3, Scalar),
            (1, Value(size / 3).ListOf().Select(items => (object?)items.ToList())),
            (1, Object(size / 3).Select(map => (object?)map)));

    private static Gen<Dictionary<string, object?>> Object(int size) =>
        Gen.Zip(Text, Value(size)).ListOf().Select(pairs =>
        {
            var map = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var (key, value) in pairs)
            {
                map[key] = value;
            }

            return map;
        });

    private static Arbitrary<List<object?>> ArgsArb => Gen.Sized(size => Value(size).ListOf().Select(l => l.ToList())).ToArbitrary();

    private static Arbitrary<Dictionary<string, object?>> KwargsArb => Gen.Sized(Object).ToArbitrary();

    [Property(MaxTest = 300)]
    public Property Encode_then_decode_gives_back_the_same_args_and_kwargs() =>
        Prop.ForAll(ArgsArb, KwargsArb, (args, kwargs) =>
        {
            var message = new TaskMessage { Task = "msg.add", Id = "11111111-2222-3333-4444-555555555555", Args = args, Kwargs = kwargs };
            var encoded = TaskMessageCodec.Encode(message);
            var decoded = TaskMessageCodec.Decode(encoded);
            return decoded.IsSuccess
                && DeepEqual(args, decoded.Message.Args)
                && DeepEqual(kwargs, decoded.Message.Kwargs)
                && encoded.Body.ToArray().All(b => b < 0x80);
        });

    [Property(MaxTest = 300)]
    public Property Json_text_reads_back_to_the_same_value() =>
        Prop.ForAll(KwargsArb, value => DeepEqual(value, CeleryJson.Parse(CeleryJson.Serialize(value))));

    private static bool DeepEqual(object? expected, object? actual) => (expected, actual) switch
    {
        (null, null) => true,
        (bool a, bool b) => a == b,
        (long a, long b) => a == b,
        (BigInteger a, BigInteger b) => a == b,
        (BigInteger a, long b) => a == b,
        (double a, double b) => BitConverter.DoubleToInt64Bits(a) == BitConverter.DoubleToInt64Bits(b) || (double.IsNaN(a) && double.IsNaN(b)),
        (string a, string b) => string.Equals(a, b, StringComparison.Ordinal),
        (IReadOnlyDictionary<string, object?> a, IReadOnlyDictionary<string, object?> b) =>
            a.Count == b.Count && a.Keys.SequenceEqual(b.Keys) && a.All(pair => DeepEqual(pair.Value, b[pair.Key])),
        (IReadOnlyList<object?> a, IReadOnlyList<object?> b) => a.Count == b.Count && a.Zip(b).All(p => DeepEqual(p.First, p.Second)),
        _ => false,
    };

    private static readonly string[] HeaderKeys = ["task", "id", "eta", "expires", "retries", "timelimit", "group_index", "ignore_result", "root_id", "lang"];

    private static Arbitrary<(byte[] Body, Dictionary<string, object?> Headers)> HostileArb =>
        Gen.Zip(
            Gen.OneOf(
                ArbMap.Default.GeneratorFor<byte[]>(),
                Gen.Sized(Value).Select(v => System.Text.Encoding.UTF8.GetBytes(CeleryJson.Serialize(v))),
                Gen.Sized(size => Value(size).ListOf().Select(parts => System.Text.Encoding.UTF8.GetBytes(CeleryJson.Serialize(parts.Take(3).ToList()))))),
            Gen.Zip(Gen.Elements(HeaderKeys), Gen.Sized(size => Value(Math.Min(size, 3)))).ListOf().Select(pairs =>
            {
                var headers = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (key, value) in pairs)
                {
                    headers[key] = value;
                }

                return headers;
            })).ToArbitrary();

    [Property(MaxTest = 500)]
    public Property Decoding_never_throws_whatever_arrives() =>
        Prop.ForAll(HostileArb, input =>
        {
            var result = TaskMessageCodec.Decode(new Cadasta.WorkerToolbox.Transports.TransportMessage
            {
                Body = input.Body,
                Headers = input.Headers,
                Properties = input.Headers,
            });
            return result.IsSuccess ? result.Message.Task.Length >= 0 : result.Error.Text.Length > 0;
        });
}
