namespace Mantle.Client.Inference;

/// <summary>A served model's inputs and outputs, from the server's metadata API.</summary>
/// <param name="Name">The model name.</param>
/// <param name="Version">The version the server described, when it says.</param>
/// <param name="Inputs">The inputs.</param>
/// <param name="Outputs">The outputs.</param>
public sealed record ModelDescription(string Name, string? Version, IReadOnlyList<TensorDescription> Inputs, IReadOnlyList<TensorDescription> Outputs);
