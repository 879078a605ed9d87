namespace Cadasta.WorkerToolbox.TestSupport.Interop;

/// <summary>Finds files of this repository from a running test.</summary>
public static class RepositoryPaths
{
    /// <summary>The repository root: the nearest folder above the test binaries holding the solution file.</summary>
    public static string Root { get; } = FindRoot();

    /// <summary>The folder of the Python interoperability scripts.</summary>
    public static string Interop => Path.Combine(Root, "tests", "interop");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Cadasta.WorkerToolbox.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Cadasta.WorkerToolbox.slnx above {AppContext.BaseDirectory}.");
    }
}
