namespace Cadasta.WorkerToolbox.Dashboard;

/// <summary>The page script and stylesheet, read once from this assembly's resources: nothing is fetched from elsewhere.</summary>
internal static class EmbeddedAssets
{
    public static byte[] Script { get; } = Read("dashboard.js");

    public static byte[] Style { get; } = Read("dashboard.css");

    private static byte[] Read(string name)
    {
        using var stream = typeof(EmbeddedAssets).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The dashboard asset {name} is missing from the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
