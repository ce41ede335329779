namespace Mantle.Serving.Engine;

/// <summary>One loaded, ready version of a model.</summary>
public interface IServableModel
{
    /// <summary>The model name.</summary>
    string Name { get; }

    /// <summary>The version number (the version folder's name).</summary>
    long Version { get; }

    /// <summary>The inputs and outputs.</summary>
    ModelSignature Signature { get; }

    /// <summary>The platform that runs the model (<c>onnxruntime_onnx</c>).</summary>
    string Platform { get; }

    /// <summary>
    /// Runs the model. Bad input (unknown or missing input, wrong dtype, shape or element count) is
    /// reported in <see cref="InferenceResult.Error"/>, not thrown. Requests may be batched with others.
    /// </summary>
    ValueTask<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default);
}
