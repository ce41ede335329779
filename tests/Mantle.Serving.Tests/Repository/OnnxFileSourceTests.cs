using Mantle.Serving.Repository;

namespace Mantle.Serving.Tests.Repository;

public sealed class OnnxFileSourceTests : IDisposable
{
    private readonly string _base = Directory.CreateTempSubdirectory("mantle-versions-").FullName;

    public void Dispose() => Directory.Delete(_base, recursive: true);

    [Fact]
    public void FindLatest_SkipsFoldersThatAreNotVersionsOrHoldNoModel()
    {
        foreach (var version in new[] { "1", "3", "12" })
        {
            Directory.CreateDirectory(Path.Combine(_base, version));
        }

        File.WriteAllBytes(Path.Combine(_base, "1", OnnxFileSource.FileName), [1]);
        File.WriteAllBytes(Path.Combine(_base, "3", OnnxFileSource.FileName), [3]);
        foreach (var notAVersion in new[] { "-20", "+30", "latest" })
        {
            Directory.CreateDirectory(Path.Combine(_base, notAVersion));
            File.WriteAllBytes(Path.Combine(_base, notAVersion, OnnxFileSource.FileName), [9]);
        }

        var latest = OnnxFileSource.FindLatest(_base);

        Assert.Equal(new ModelFile(3, Path.Combine(_base, "3", OnnxFileSource.FileName)), latest);
    }

    [Fact]
    public void FindLatest_NoVersionOrNoFolder_IsNull()
    {
        Assert.Null(OnnxFileSource.FindLatest(_base));
        Assert.Null(OnnxFileSource.FindLatest(Path.Combine(_base, "missing")));
    }
}
