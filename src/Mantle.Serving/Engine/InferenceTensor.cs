using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Engine;

/// <summary>
/// A named tensor passed to or returned by a model: element type, shape and the elements as raw
/// little-endian bytes in row-major order (bool is one byte per element), or, for string tensors,
/// one byte string per element. <see cref="Data"/> may point straight into a request buffer or into
/// memory owned by an <see cref="InferenceResult"/>: it is valid only as long as its owner.
/// </summary>
public sealed class InferenceTensor
{
    private InferenceTensor(string name, TensorElementType elementType, long[] shape, ReadOnlyMemory<byte> data, IReadOnlyList<ReadOnlyMemory<byte>>? strings)
    {
        Name = name;
        ElementType = elementType;
        Shape = shape;
        Data = data;
        Strings = strings;
    }

    /// <summary>The tensor name (an input or output name of the model).</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public TensorElementType ElementType { get; }

    /// <summary>The dimensions.</summary>
    public IReadOnlyList<long> Shape { get; }

    /// <summary>The elements as little-endian bytes, row-major; empty for string tensors.</summary>
    public ReadOnlyMemory<byte> Data { get; }

    /// <summary>The elements of a string tensor (arbitrary bytes, usually UTF-8); null for other types.</summary>
    public IReadOnlyList<ReadOnlyMemory<byte>>? Strings { get; }

    /// <summary>The number of elements: the product of the dimensions (1 for a scalar).</summary>
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (var dim in Shape)
            {
                count *= dim;
            }

            return count;
        }
    }

    /// <summary>Creates a numeric or bool tensor over raw bytes (not copied).</summary>
    public static InferenceTensor FromBytes(string name, TensorElementType elementType, long[] shape, ReadOnlyMemory<byte> data)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        if (elementType == TensorElementType.String)
        {
            throw new ArgumentException("String tensors are created with FromStrings.", nameof(elementType));
        }

        return new InferenceTensor(name, elementType, shape, data, null);
    }

    /// <summary>Creates a string tensor, one byte string per element (not copied).</summary>
    public static InferenceTensor FromStrings(string name, long[] shape, IReadOnlyList<ReadOnlyMemory<byte>> strings)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(strings);
        return new InferenceTensor(name, TensorElementType.String, shape, ReadOnlyMemory<byte>.Empty, strings);
    }
}
