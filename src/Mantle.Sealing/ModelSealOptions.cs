using Mantle.Sealing.Format;

namespace Mantle.Sealing;

/// <summary>Options of <see cref="ModelSealer.SealAsync"/>.</summary>
public sealed class ModelSealOptions
{
    /// <summary>The model name. Defaults to the input file name without extension, or the folder name.</summary>
    public string? Name { get; set; }

    /// <summary>The model version. Defaults to "1".</summary>
    public string Version { get; set; } = "1";

    /// <summary>"onnx" or "files". Defaults to "onnx" when the input holds a <c>.onnx</c> file, else "files".</summary>
    public string? Platform { get; set; }

    /// <summary>Plaintext bytes per chunk, <see cref="SealedFormat.MinChunkSize"/>..<see cref="SealedFormat.MaxChunkSize"/>. Defaults to <see cref="SealedFormat.DefaultChunkSize"/> (1 MiB).</summary>
    public int ChunkSize { get; set; } = SealedFormat.DefaultChunkSize;

    /// <summary>The clock for the manifest's <c>createdAt</c>. Defaults to <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Called with the number of plaintext bytes just sealed (for progress display). Defaults to none.</summary>
    public Action<long>? Progress { get; set; }
}
