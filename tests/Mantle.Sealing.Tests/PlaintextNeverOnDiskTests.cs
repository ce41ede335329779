namespace Mantle.Sealing.Tests;

/// <summary>The reader path keeps plaintext in memory only: no file written during a read holds model bytes.</summary>
public sealed class PlaintextNeverOnDiskTests : IDisposable
{
    private readonly SealedModelFixture _model = new();

    [Fact]
    public async Task ReadAsync_SealedModel_WritesNoPlaintextAnywhere()
    {
        var start = DateTime.UtcNow.AddSeconds(-1);
        var before = Snapshot(_model.Folder.Path);

        using var model = await _model.Reader().ReadAsync(_model.Output);

        Assert.Equal(_model.Plain["model.onnx"], model.GetContent("model.onnx"));
        Assert.Equal(before, Snapshot(_model.Folder.Path));
        var marker = _model.Plain["model.onnx"].AsSpan(1000, 64).ToArray();
        var scanned = 0;
        foreach (var root in new[] { _model.Output, Path.GetTempPath(), Environment.CurrentDirectory })
        {
            foreach (var file in RecentFiles(root, start).Where(f => !f.StartsWith(_model.Input, StringComparison.Ordinal)))
            {
                scanned++;
                Assert.False(Contains(file, marker), $"'{file}' holds model plaintext");
            }
        }

        // The sealed folder itself is scanned, so the marker search is known to run.
        Assert.True(scanned > 0 || Directory.EnumerateFiles(_model.Output).Any());
        foreach (var file in Directory.EnumerateFiles(_model.Folder.Path, "*", SearchOption.AllDirectories)
                     .Where(f => !f.StartsWith(_model.Input, StringComparison.Ordinal)))
        {
            Assert.False(Contains(file, marker), $"'{file}' holds model plaintext");
        }

        // And it would find plaintext if there were any: the unsealed input folder holds it.
        Assert.True(Contains(Path.Combine(_model.Input, "model.onnx"), marker));
    }

    public void Dispose() => _model.Dispose();

    private static SortedDictionary<string, long> Snapshot(string root) =>
        new(Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).ToDictionary(f => f, f => new FileInfo(f).Length), StringComparer.Ordinal);

    private static IEnumerable<string> RecentFiles(string root, DateTime since)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = FileAttributes.ReparsePoint };
        foreach (var file in Directory.EnumerateFiles(root, "*", options))
        {
            FileInfo info;
            try
            {
                info = new FileInfo(file);
                if (info.LastWriteTimeUtc < since || info.Length > 64L * 1024 * 1024)
                {
                    continue;
                }
            }
            catch (IOException)
            {
                continue;
            }

            yield return file;
        }
    }

    private static bool Contains(string file, byte[] marker)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(file);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return false;
        }

        return bytes.AsSpan().IndexOf(marker) >= 0;
    }
}
