using Mantle.Client.Tensors;

namespace Mantle.Client.Inference;

/// <summary>A model input or output as the server describes it.</summary>
/// <param name="Name">The tensor name.</param>
/// <param name="DataType">The element type.</param>
/// <param name="Shape">The dimensions; -1 for a dynamic dimension.</param>
public sealed record TensorDescription(string Name, TensorDataType DataType, IReadOnlyList<long> Shape);
