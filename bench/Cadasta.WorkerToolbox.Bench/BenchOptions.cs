using System.Globalization;

namespace Cadasta.WorkerToolbox.Bench;

/// <summary>--key value pairs from the command line.</summary>
internal sealed class BenchOptions
{
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static BenchOptions Parse(IEnumerable<string> args)
    {
        var options = new BenchOptions();
        string? key = null;
        foreach (var arg in args)
        {
            if (key is null)
            {
                key = arg.StartsWith("--", StringComparison.Ordinal) ? arg[2..] : throw new ArgumentException($"Expected --key, got '{arg}'.");
            }
            else
            {
                options._values[key] = arg;
                key = null;
            }
        }

        return key is null ? options : throw new ArgumentException($"--{key} needs a value.");
    }

    public string Text(string key, string fallback) => _values.GetValueOrDefault(key, fallback);

    public int Int(string key, int fallback) =>
        _values.TryGetValue(key, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public double Double(string key, double fallback) =>
        _values.TryGetValue(key, out var value) ? double.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
