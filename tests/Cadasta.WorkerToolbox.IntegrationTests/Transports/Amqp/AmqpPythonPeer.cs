using System.Diagnostics;

namespace Cadasta.WorkerToolbox.IntegrationTests.Transports.Amqp;

/// <summary>Runs a Python script (given inline) with Debian's /usr/bin/python3, which has Celery 5.2.6 and kombu 5.2.4.</summary>
internal static class AmqpPythonPeer
{
    private const string Python = "/usr/bin/python3";

    /// <summary>Runs <paramref name="script"/> with <paramref name="arguments"/>; fails the test on a non-zero exit.</summary>
    /// <returns>What the script printed on standard output.</returns>
    public static async Task<string> RunAsync(string script, params string[] arguments)
    {
        Assert.True(File.Exists(Python), $"{Python} (Debian's Python with Celery 5.2.6) is missing: run scripts/services/install.");
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-");
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"The Python peer did not finish within 90 s: {await stderr}");
        }

        Assert.True(process.ExitCode == 0, $"The Python peer exited with {process.ExitCode}:\n{await stderr}\n{await stdout}");
        return await stdout;
    }
}
