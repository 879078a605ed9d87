using Cadasta.WorkerToolbox.Protocol;
using Cadasta.WorkerToolbox.TestSupport.Interop;
using Cadasta.WorkerToolbox.Transports;

namespace Cadasta.WorkerToolbox.Tests.Security;

/// <summary>
/// Pickle is never deserialized from a broker: the codec refuses it unread, and the only unpicklers in
/// the library (Results/) read the result table (Celery's own format there). The end-to-end proof, with a pickle
/// whose unpickling would create a file, is in the integration tests' hostile-input runs.
/// </summary>
public sealed class PickleNeverReadFromBrokerTests
{
    [Fact]
    public void Only_the_result_store_unpickles()
    {
        var users = Directory.EnumerateFiles(Path.Combine(RepositoryPaths.Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains("/obj/", StringComparison.Ordinal) && File.ReadAllText(f).Contains("Unpickler", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(RepositoryPaths.Root, f))
            .ToList();
        Assert.Contains("src/Cadasta.WorkerToolbox/Results/ResultPickle.cs", users);
        Assert.All(users, user => Assert.StartsWith("src/Cadasta.WorkerToolbox/Results/", user, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("application/x-python-serialize", "binary")]
    [InlineData("APPLICATION/X-PYTHON-SERIALIZE ", "binary")]
    [InlineData("application/x-python-serialize", "utf-8")]
    public void A_pickle_body_is_refused_whatever_its_spelling(string contentType, string encoding)
    {
        // Protocol 2 pickle of os.system('touch /tmp/x'): refused on its content type, never parsed.
        byte[] payload = [0x80, 0x02, .. "cposix\nsystem\nq\x00X\x0c\x00\x00\x00touch /tmp/xq\x01\x85q\x02Rq\x03."u8];
        var result = TaskMessageCodec.Decode(new TransportMessage
        {
            Body = payload,
            ContentType = contentType,
            ContentEncoding = encoding,
            Headers = new Dictionary<string, object?> { ["task"] = "msg.add", ["id"] = "p1" },
        });
        Assert.False(result.IsSuccess);
        Assert.Equal(MessageErrorCode.PickleRefused, result.Error.Code);
    }
}
