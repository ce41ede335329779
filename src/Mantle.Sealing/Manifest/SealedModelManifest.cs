namespace Mantle.Sealing.Manifest;

/// <summary>The signed description of a sealed model version (the payload of <c>mantle-manifest.json</c>).</summary>
public sealed class SealedModelManifest
{
    /// <summary>The payload's <c>format</c> value.</summary>
    public const string FormatName = "mantle-sealed-model/v1";

    /// <summary>The platform of a model that ONNX Runtime loads.</summary>
    public const string PlatformOnnx = "onnx";

    /// <summary>The platform of other files (TLS material, configuration).</summary>
    public const string PlatformFiles = "files";

    /// <summary>The model name.</summary>
    public required string Name { get; init; }

    /// <summary>The model version (TF Serving version folders are numbers; any text is allowed).</summary>
    public required string Version { get; init; }

    /// <summary><see cref="PlatformOnnx"/> or <see cref="PlatformFiles"/>.</summary>
    public required string Platform { get; init; }

    /// <summary>The id of the model key every file is sealed with.</summary>
    public required string KeyId { get; init; }

    /// <summary>When the model was sealed (UTC, whole seconds).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The files, ordered by path (ordinal).</summary>
    public required IReadOnlyList<SealedFileEntry> Files { get; init; }
}
