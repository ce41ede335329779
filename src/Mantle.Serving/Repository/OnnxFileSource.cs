using Mantle.Serving.Engine;
using Mantle.Serving.Repository.Internal;

namespace Mantle.Serving.Repository;

/// <summary>Reads a plaintext <c>model.onnx</c> from a version folder.</summary>
public sealed class OnnxFileSource : IModelSource
{
    /// <summary>The model file name inside a version folder.</summary>
    public const string FileName = "model.onnx";

    /// <summary>False: a plaintext file proves nothing about who wrote it.</summary>
    public bool IsSealed => false;

    /// <summary>
    /// The newest version folder under <paramref name="basePath"/> (a TF Serving layout, <c>&lt;version&gt;/model.onnx</c>)
    /// that holds a plaintext model, read as the server reads version folders; null when there is none.
    /// </summary>
    public static ModelFile? FindLatest(string basePath)
    {
        ArgumentNullException.ThrowIfNull(basePath);
        if (!Directory.Exists(basePath))
        {
            return null;
        }

        var latest = VersionFolders.List(basePath).Reverse().FirstOrDefault(v => File.Exists(Path.Combine(v.Value, FileName)));
        return latest.Value is null ? null : new ModelFile(latest.Key, Path.Combine(latest.Value, FileName));
    }

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
