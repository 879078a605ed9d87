using System.Text;

namespace Cadasta.WorkerToolbox.Hosting;

/// <summary>
/// A log file that rolls over as Python's <c>RotatingFileHandler</c>: before a line that would make
/// it reach <see cref="MaxBytes"/>, <c>name.1</c> becomes <c>name.2</c> (and so on up to
/// <see cref="BackupCount"/>, the oldest dropped), the file becomes <c>name.1</c>, and a new file
/// starts. One lock per file: concurrent writers in one process never interleave or lose lines.
/// Sizes are counted in UTF-8 bytes (Python counts characters; the same for ASCII lines).
/// </summary>
internal sealed class RotatingLogFile : IDisposable
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
    private readonly Lock _gate = new();
    private FileStream? _stream;

    public RotatingLogFile(string path, long maxBytes, int backupCount)
    {
        Path = System.IO.Path.GetFullPath(path);
        MaxBytes = maxBytes;
        BackupCount = backupCount;
    }

    public string Path { get; }

    public long MaxBytes { get; }

    public int BackupCount { get; }

    public void WriteLine(string line)
    {
        var bytes = Utf8.GetBytes(line + "\n");
        lock (_gate)
        {
            var stream = _stream ??= Open();
            if (MaxBytes > 0 && BackupCount > 0 && stream.Length > 0 && stream.Length + bytes.Length >= MaxBytes)
            {
                stream.Dispose();
                RollOver();
                stream = _stream = Open();
            }

            stream.Write(bytes);
            stream.Flush();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stream?.Dispose();
            _stream = null;
        }
    }

    private FileStream Open()
    {
        var stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        return stream;
    }

    private void RollOver()
    {
        for (var index = BackupCount - 1; index >= 1; index--)
        {
            var source = $"{Path}.{index}";
            if (File.Exists(source))
            {
                File.Move(source, $"{Path}.{index + 1}", overwrite: true);
            }
        }

        File.Move(Path, Path + ".1", overwrite: true);
    }
}
