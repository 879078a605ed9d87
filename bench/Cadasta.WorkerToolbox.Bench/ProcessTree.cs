using System.Globalization;

namespace Cadasta.WorkerToolbox.Bench;

/// <summary>A process and its descendants, read from /proc: CPU seconds (utime+stime) and memory.</summary>
internal sealed class ProcessTree(int rootPid)
{
    private static readonly double TicksPerSecond = 100.0; // USER_HZ on Linux
    private readonly Dictionary<int, double> _lastCpu = [];

    public int RootPid => rootPid;

    public IReadOnlyList<int> Pids()
    {
        var parents = new Dictionary<int, int>();
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && TryStat(pid, out var stat))
            {
                parents[pid] = stat.Parent;
            }
        }

        var tree = new List<int> { rootPid };
        for (var i = 0; i < tree.Count; i++)
        {
            tree.AddRange(parents.Where(p => p.Value == tree[i]).Select(p => p.Key));
        }

        return tree;
    }

    /// <summary>CPU seconds of every process whose name (comm) is <paramref name="name"/> (e.g. beam.smp, postgres).</summary>
    public static double CpuSecondsByName(string name)
    {
        double total = 0;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out var pid) && TryStat(pid, out var stat, out var comm) && comm == name)
            {
                total += stat.CpuSeconds;
            }
        }

        return total;
    }

    /// <summary>CPU seconds of the tree; a process that exited keeps its last reading (prefork children are long-lived).</summary>
    public double CpuSeconds()
    {
        foreach (var pid in Pids())
        {
            if (TryStat(pid, out var stat))
            {
                _lastCpu[pid] = stat.CpuSeconds;
            }
        }

        return _lastCpu.Values.Sum();
    }

    /// <summary>Sum of VmRSS and of Pss (smaps_rollup) over the tree, in MB.</summary>
    public (double RssMb, double PssMb, int Processes) Memory()
    {
        double rss = 0, pss = 0;
        var pids = Pids();
        foreach (var pid in pids)
        {
            rss += ReadKb($"/proc/{pid}/status", "VmRSS:");
            pss += ReadKb($"/proc/{pid}/smaps_rollup", "Pss:");
        }

        return (rss / 1024, pss / 1024, pids.Count);
    }

    private static double ReadKb(string file, string field)
    {
        try
        {
            foreach (var line in File.ReadLines(file))
            {
                if (line.StartsWith(field, StringComparison.Ordinal))
                {
                    return double.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return 0;
    }

    private static bool TryStat(int pid, out (int Parent, double CpuSeconds) stat) => TryStat(pid, out stat, out _);

    private static bool TryStat(int pid, out (int Parent, double CpuSeconds) stat, out string comm)
    {
        stat = default;
        comm = string.Empty;
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }

        // Fields after "(comm)": state(3) ppid(4) ... utime(14) stime(15).
        comm = text[(text.IndexOf('(') + 1)..text.LastIndexOf(')')];
        var rest = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        stat = (int.Parse(rest[1], CultureInfo.InvariantCulture),
            (long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture)) / TicksPerSecond);
        return true;
    }
}
