namespace Mantle.Serving.Tests.Sealed;

/// <summary>Looks for distinctive 64-byte windows of a plaintext model in every file under some folders.</summary>
internal sealed class PlaintextScanner
{
    public const int WindowSize = 64;
    private readonly List<(long Offset, byte[] Bytes)> _windows = [];

    public PlaintextScanner(byte[] plaintext, int windowCount)
    {
        for (var i = 1; i <= windowCount; i++)
        {
            // Spread through the file; slide forward past low-entropy stretches (zeros, repeated padding).
            for (var offset = (long)plaintext.Length * i / (windowCount + 1); offset + WindowSize <= plaintext.Length; offset += WindowSize)
            {
                var window = plaintext.AsSpan((int)offset, WindowSize);
                if (window.ToArray().Distinct().Count() >= 24)
                {
                    _windows.Add((offset, window.ToArray()));
                    break;
                }
            }
        }
    }

    public int WindowCount => _windows.Count;

    /// <summary>Every (file, window offset) where a window occurs; symbolic links are followed for files, not folders.</summary>
    public List<string> Scan(params string[] roots)
    {
        var hits = new List<string>();
        foreach (var root in roots)
        {
            foreach (var file in Directory.EnumerateFiles(root, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0, IgnoreInaccessible = false }))
            {
                if (new FileInfo(file) is { Length: 0 } info && info.LinkTarget is null)
                {
                    // Sockets, pipes and empty files: nothing to find.
                    continue;
                }

                var content = File.ReadAllBytes(file);
                foreach (var (offset, bytes) in _windows)
                {
                    if (content.AsSpan().IndexOf(bytes) >= 0)
                    {
                        hits.Add($"{file} holds the plaintext bytes at model offset {offset}");
                    }
                }
            }
        }

        return hits;
    }
}
