using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Engine;

/// <summary>The declared name, element type and shape of a model input or output.</summary>
/// <param name="Name">The tensor name in the model graph.</param>
/// <param name="ElementType">The element type.</param>
/// <param name="Shape">The dimensions; -1 marks a dynamic dimension.</param>
public sealed record TensorSpec(string Name, TensorElementType ElementType, IReadOnlyList<long> Shape);
