namespace Mantle.Serving.Engine;

/// <summary>The inputs and outputs of a model version, in graph order.</summary>
/// <param name="Inputs">The inputs the model takes.</param>
/// <param name="Outputs">The outputs the model produces.</param>
public sealed record ModelSignature(IReadOnlyList<TensorSpec> Inputs, IReadOnlyList<TensorSpec> Outputs);
