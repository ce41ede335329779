namespace Mantle.Client.Images;

/// <summary>One class of a classification result.</summary>
/// <param name="Index">The position in the model's output vector.</param>
/// <param name="Score">The probability (after softmax when the outputs were not probabilities).</param>
/// <param name="Label">The class name from a label file, or null.</param>
public sealed record ClassScore(int Index, float Score, string? Label);
