using Mantle.Serving.Batching;
using Mantle.Serving.Metrics;
using Mantle.Serving.Onnx;

namespace Mantle.Serving.Repository;

/// <summary>How a <see cref="ModelRepository"/> reads, loads and runs model versions.</summary>
public sealed class ModelRepositoryOptions
{
    /// <summary>The sources asked, in order, to read a version folder. Defaults to <see cref="OnnxFileSource"/> only.</summary>
    public IList<IModelSource> Sources { get; } = [new OnnxFileSource()];

    /// <summary>ONNX Runtime session settings for every version.</summary>
    public OnnxModelOptions Onnx { get; set; } = new();

    /// <summary>Dynamic batching for every model, or null to run each request alone. Defaults to null.</summary>
    public BatchingOptions? Batching { get; set; }

    /// <summary>Where batch sizes are recorded, or null.</summary>
    public ServingMetrics? Metrics { get; set; }
}
