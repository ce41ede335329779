using System.Security.Cryptography;
using Mantle.Sealing.Manifest;

namespace Mantle.Sealing;

/// <summary>A sealed model opened into memory after every check passed. Dispose it to clear every plaintext buffer.</summary>
public sealed class UnsealedModel : IDisposable
{
    private readonly Dictionary<string, UnsealedFile> _byPath;
    private readonly HashSet<string> _taken = new(StringComparer.Ordinal);
    private bool _disposed;

    internal UnsealedModel(SealedModelManifest manifest, IReadOnlyList<UnsealedFile> files)
    {
        Manifest = manifest;
        Files = files;
        _byPath = files.ToDictionary(file => file.Path, StringComparer.Ordinal);
    }

    /// <summary>The verified manifest.</summary>
    public SealedModelManifest Manifest { get; }

    /// <summary>The files in manifest order.</summary>
    public IReadOnlyList<UnsealedFile> Files { get; }

    /// <summary>The plaintext of the file at <paramref name="path"/>.</summary>
    /// <exception cref="KeyNotFoundException">The model has no such file.</exception>
    public byte[] GetContent(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _byPath.TryGetValue(path, out var file)
            ? file.Content
            : throw new KeyNotFoundException($"The sealed model '{Manifest.Name}' has no file '{path}'; it has: {string.Join(", ", _byPath.Keys)}.");
    }

    /// <summary>The plaintext of the file at <paramref name="path"/>, if the model has it.</summary>
    public bool TryGetContent(string path, out byte[] content)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_byPath.TryGetValue(path, out var file))
        {
            content = file.Content;
            return true;
        }

        content = [];
        return false;
    }

    /// <summary>
    /// Hands the plaintext of the file at <paramref name="path"/> over to the caller, who then owns it and must clear it
    /// (<see cref="CryptographicOperations.ZeroMemory"/>); disposing this model no longer does. This saves a copy of a
    /// large model on its way to ONNX Runtime.
    /// </summary>
    /// <exception cref="KeyNotFoundException">The model has no such file.</exception>
    public byte[] TakeContent(string path)
    {
        var content = GetContent(path);
        _taken.Add(path);
        return content;
    }

    /// <summary>Clears every plaintext buffer that was not taken with <see cref="TakeContent"/>.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        foreach (var file in Files)
        {
            if (!_taken.Contains(file.Path))
            {
                CryptographicOperations.ZeroMemory(file.Content);
            }
        }

        _disposed = true;
    }
}
