using Mantle.Serving.Engine;

namespace Mantle.Serving.Repository;

/// <summary>Reads a plaintext <c>model.onnx</c> from a version folder.</summary>
public sealed class OnnxFileSource : IModelSource
{
    /// <summary>The model file name inside a version folder.</summary>
    public const string FileName = "model.onnx";

    /// <summary>False: a plaintext file proves nothing about who wrote it.</summary>
    public bool IsSealed => false;

    /// <inheritdoc />
    public bool CanRead(string versionDirectory) => File.Exists(Path.Combine(versionDirectory, FileName));

    /// <inheritdoc />
    public async Task<byte[]> ReadAsync(string versionDirectory, CancellationToken cancellationToken = default)
    {
        var path = Path.Combine(versionDirectory, FileName);
        try
        {
            return await File.ReadAllBytesAsync(path, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ModelLoadException($"Cannot read {path}: {ex.Message}", ex);
        }
    }
}
