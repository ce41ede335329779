namespace Mantle.Serving.Engine;

/// <summary>
/// The outcome of an inference call: either outputs or an error. The output tensors' memory belongs
/// to this object (it may be native ONNX Runtime memory): read it before <see cref="Dispose"/>.
/// </summary>
public sealed class InferenceResult : IDisposable
{
    private readonly IDisposable? _owner;

    private InferenceResult(IReadOnlyList<InferenceTensor> outputs, ServingError? error, IDisposable? owner)
    {
        Outputs = outputs;
        Error = error;
        _owner = owner;
    }

    /// <summary>The output tensors, in the order requested (or graph order); empty when <see cref="Error"/> is set.</summary>
    public IReadOnlyList<InferenceTensor> Outputs { get; }

    /// <summary>The error, or null on success.</summary>
    public ServingError? Error { get; }

    /// <summary>Creates a successful result whose tensors live as long as <paramref name="owner"/>.</summary>
    public static InferenceResult Success(IReadOnlyList<InferenceTensor> outputs, IDisposable? owner) => new(outputs, null, owner);

    /// <summary>Creates a failed result.</summary>
    public static InferenceResult Failure(ServingErrorCode code, string message) => new([], new ServingError(code, message), null);

    /// <summary>Creates a failed result.</summary>
    public static InferenceResult Failure(ServingError error) => new([], error, null);

    /// <summary>Releases the memory behind the output tensors.</summary>
    public void Dispose() => _owner?.Dispose();
}
