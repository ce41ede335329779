namespace Mantle.Serving.Engine;

/// <summary>One inference call: the input tensors and, optionally, which outputs to return.</summary>
/// <param name="Inputs">The inputs, by name; every model input must be present.</param>
/// <param name="OutputNames">The outputs to compute and return; null or empty for all outputs.</param>
public sealed record InferenceRequest(IReadOnlyList<InferenceTensor> Inputs, IReadOnlyList<string>? OutputNames = null);
