using Mantle.Serving.Batching;
using Mantle.Serving.Metrics;
using Mantle.Serving.Onnx;

namespace Mantle.Serving.Repository;

/// <summary>How a <see cref="ModelRepository"/> reads, loads and runs model versions.</summary>
public sealed class ModelRepositoryOptions
{
    /// <summary>The sources asked, in order, to read a version folder. Defaults to <see cref="OnnxFileSource"/> only.</summary>
    public IList<IModelSource> Sources { get; } = [new OnnxFileSource()];

    /// <summary>
    /// When true, every model not named in <see cref="AllowPlaintext"/> accepts sealed versions only: a folder read by a
    /// source whose <see cref="IModelSource.IsSealed"/> is false is refused before any of its bytes are read. Set it
    /// whenever a way to verify sealed models is configured (<c>mantle serve</c> sets it with <c>--owner-key</c>), so
    /// that whoever controls the disk cannot put a plaintext model of their own beside the owner's. Defaults to false:
    /// then a model accepts sealed versions only once a sealed version folder has appeared in its base path.
    /// </summary>
    public bool RequireSealed { get; set; }

    /// <summary>
    /// The models (by name) that may serve plaintext versions even when <see cref="RequireSealed"/> is set or their base
    /// path holds sealed versions (<c>--allow-plaintext-model</c>). Empty by default.
    /// </summary>
    public ISet<string> AllowPlaintext { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>ONNX Runtime session settings for every version.</summary>
    public OnnxModelOptions Onnx { get; set; } = new();

    /// <summary>Dynamic batching for every model, or null to run each request alone. Defaults to null.</summary>
    public BatchingOptions? Batching { get; set; }

    /// <summary>Where batch sizes are recorded, or null.</summary>
    public ServingMetrics? Metrics { get; set; }
}
