namespace Mantle.Client.Tensors;

/// <summary>
/// A named tensor on the client side: element type, shape, and the elements as little-endian bytes
/// in row-major order (bool is one byte per element), or one byte string per element for strings.
/// </summary>
public sealed class ClientTensor
{
    /// <summary>Creates a numeric or bool tensor.</summary>
    public ClientTensor(string name, TensorDataType dataType, long[] shape, byte[] data)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(data);
        if (dataType == TensorDataType.String)
        {
            throw new ArgumentException("String tensors take a list of byte strings.", nameof(dataType));
        }

        var expected = ElementCountOf(shape) * TensorDataTypes.SizeOf(dataType);
        if (data.LongLength != expected)
        {
            throw new ArgumentException(
                $"Tensor '{name}' of shape [{string.Join(", ", shape)}] and type {dataType} needs {expected} bytes, got {data.LongLength}.",
                nameof(data));
        }

        Name = name;
        DataType = dataType;
        Shape = shape;
        Data = data;
    }

    /// <summary>Creates a string tensor.</summary>
    public ClientTensor(string name, long[] shape, IReadOnlyList<byte[]> strings)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(strings);
        if (strings.Count != ElementCountOf(shape))
        {
            throw new ArgumentException(
                $"String tensor '{name}' of shape [{string.Join(", ", shape)}] needs {ElementCountOf(shape)} elements, got {strings.Count}.",
                nameof(strings));
        }

        Name = name;
        DataType = TensorDataType.String;
        Shape = shape;
        Data = [];
        Strings = strings;
    }

    /// <summary>The tensor name.</summary>
    public string Name { get; }

    /// <summary>The element type.</summary>
    public TensorDataType DataType { get; }

    /// <summary>The dimensions.</summary>
    public long[] Shape { get; }

    /// <summary>The elements as little-endian bytes; empty for string tensors.</summary>
    public byte[] Data { get; }

    /// <summary>The elements of a string tensor; null for other types.</summary>
    public IReadOnlyList<byte[]>? Strings { get; }

    /// <summary>The number of elements (1 for a scalar).</summary>
    public long ElementCount => ElementCountOf(Shape);

    /// <summary>The product of the dimensions.</summary>
    public static long ElementCountOf(IEnumerable<long> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        long count = 1;
        foreach (var dim in shape)
        {
            count *= dim;
        }

        return count;
    }
}
