using Mantle.Sealing.Internal;
using Mantle.Sealing.Manifest;

namespace Mantle.Sealing;

/// <summary>Recognizes sealed model folders and reads their manifests without a key.</summary>
public static class SealedModel
{
    /// <summary>The name of the signed manifest in a sealed model folder.</summary>
    public const string ManifestFileName = "mantle-manifest.json";

    /// <summary>The extension of every sealed file.</summary>
    public const string SealedExtension = ".sealed";

    /// <summary>True if <paramref name="directory"/> holds a <c>mantle-manifest.json</c> (nothing is verified).</summary>
    public static bool IsSealedFolder(string directory) =>
        Directory.Exists(directory) && File.Exists(Path.Combine(directory, ManifestFileName));

    /// <summary>
    /// Reads the manifest of a sealed folder without checking its signature or needing any key: for display only.
    /// </summary>
    /// <exception cref="SealingException">The folder has no manifest or it is malformed.</exception>
    public static ManifestInspection Inspect(string directory) =>
        ManifestCodec.Inspect(ManifestFile.Read(directory), Path.Combine(directory, ManifestFileName));
}
