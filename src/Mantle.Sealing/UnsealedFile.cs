namespace Mantle.Sealing;

/// <summary>One unsealed file in memory. Its <see cref="Content"/> is cleared when the owning <see cref="UnsealedModel"/> is disposed.</summary>
public sealed class UnsealedFile
{
    internal UnsealedFile(string path, byte[] content)
    {
        Path = path;
        Content = content;
    }

    /// <summary>The file's relative path in the model ('/'-separated), as listed in the manifest.</summary>
    public string Path { get; }

    /// <summary>
    /// The verified plaintext, exactly the file's size, in a pinned array (the GC never leaves copies of it behind).
    /// Pass it to ONNX Runtime directly; do not keep references past the model's disposal.
    /// </summary>
    public byte[] Content { get; }
}
