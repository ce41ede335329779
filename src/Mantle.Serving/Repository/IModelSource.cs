namespace Mantle.Serving.Repository;

/// <summary>
/// Reads the model bytes of one version folder into memory. The repository asks each source in
/// order whether it recognizes a folder; the first that does reads it. Plain ONNX folders are read by
/// <see cref="OnnxFileSource"/>; a sealed-model source returns decrypted bytes, so plaintext never
/// touches disk. A model that accepts sealed versions only refuses every folder that a source whose
/// <see cref="IsSealed"/> is false would read.
/// </summary>
public interface IModelSource
{
    /// <summary>
    /// True when this source reads only sealed versions whose manifest it verifies against the model owner's key
    /// before it returns any bytes; false when it reads files that whoever controls the disk could have written.
    /// </summary>
    bool IsSealed { get; }

    /// <summary>True when this source recognizes the folder's content.</summary>
    bool CanRead(string versionDirectory);

    /// <summary>Reads the ONNX model bytes of the folder.</summary>
    /// <exception cref="Engine.ModelLoadException">The files are missing, unreadable or refused; the message names the file.</exception>
    Task<byte[]> ReadAsync(string versionDirectory, CancellationToken cancellationToken = default);
}
