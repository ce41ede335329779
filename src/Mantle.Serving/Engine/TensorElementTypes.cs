using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Engine;

/// <summary>Facts about tensor element types that every API needs: sizes and names.</summary>
public static class TensorElementTypes
{
    /// <summary>
    /// The size of one element in bytes (bool is one byte); 0 for string and for types the serving
    /// engine does not carry.
    /// </summary>
    public static int SizeInBytes(TensorElementType elementType) => elementType switch
    {
        TensorElementType.Float => 4,
        TensorElementType.Double => 8,
        TensorElementType.Float16 => 2,
        TensorElementType.BFloat16 => 2,
        TensorElementType.Int8 => 1,
        TensorElementType.Int16 => 2,
        TensorElementType.Int32 => 4,
        TensorElementType.Int64 => 8,
        TensorElementType.UInt8 => 1,
        TensorElementType.UInt16 => 2,
        TensorElementType.UInt32 => 4,
        TensorElementType.UInt64 => 8,
        TensorElementType.Bool => 1,
        _ => 0,
    };

    /// <summary>True for the element types the engine serves: the numeric types, bool and string.</summary>
    public static bool IsSupported(TensorElementType elementType) =>
        elementType == TensorElementType.String || SizeInBytes(elementType) > 0;

    /// <summary>The ONNX name of the type (<c>float</c>, <c>int64</c>, <c>string</c>…), used in error messages.</summary>
    public static string OnnxName(TensorElementType elementType) => elementType switch
    {
        TensorElementType.Float => "float",
        TensorElementType.Double => "double",
        TensorElementType.Float16 => "float16",
        TensorElementType.BFloat16 => "bfloat16",
        TensorElementType.Int8 => "int8",
        TensorElementType.Int16 => "int16",
        TensorElementType.Int32 => "int32",
        TensorElementType.Int64 => "int64",
        TensorElementType.UInt8 => "uint8",
        TensorElementType.UInt16 => "uint16",
        TensorElementType.UInt32 => "uint32",
        TensorElementType.UInt64 => "uint64",
        TensorElementType.Bool => "bool",
        TensorElementType.String => "string",
        _ => elementType.ToString().ToLowerInvariant(),
    };

    /// <summary>Formats a shape as <c>[1,3,-1]</c> for messages.</summary>
    public static string FormatShape(IReadOnlyList<long> shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        return "[" + string.Join(",", shape) + "]";
    }
}
