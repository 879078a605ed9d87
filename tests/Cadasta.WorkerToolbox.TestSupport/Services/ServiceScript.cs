using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Cadasta.WorkerToolbox.TestSupport.Interop;

namespace Cadasta.WorkerToolbox.TestSupport.Services;

/// <summary>Runs the scripts of <c>scripts/services/</c> and finds free local ports for private services.</summary>
public static class ServiceScript
{
    /// <summary>Runs <c>scripts/services/<paramref name="script"/></c> with arguments; fails with its output when it exits non-zero.</summary>
    /// <param name="script">The script's file name.</param>
    /// <param name="arguments">Its arguments.</param>
    /// <returns>What it printed on standard output.</returns>
    public static async Task<string> RunAsync(string script, params string[] arguments)
    {
        var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Path.Combine(RepositoryPaths.Root, "scripts", "services", script));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Cannot start scripts/services/{script}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"`scripts/services/{script} {string.Join(' ', arguments)}` exited with {process.ExitCode}: {await error}{await output}");
        }

        return await output;
    }

    /// <summary>
    /// A port such that it and the <paramref name="count"/> - 1 ports after it are free on 127.0.0.1
    /// (random in 20000-29999, so parallel tests rarely pick the same one).
    /// </summary>
    /// <param name="count">How many consecutive ports are needed.</param>
    public static int FreePorts(int count = 1)
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var first = Random.Shared.Next(20000, 29990);
            if (Enumerable.Range(first, count).All(IsFree))
            {
                return first;
            }
        }

        throw new InvalidOperationException("No free local port found for a private service.");
    }

    /// <summary>A fresh directory for a private service's state (reachable by the service's own user).</summary>
    /// <param name="purpose">A readable part of its name.</param>
    public static string NewStateDirectory(string purpose)
    {
        var path = Path.Combine(Path.GetTempPath(), $"cadasta-{purpose}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(path);
        return path;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            listener.Stop();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
