using Google.Protobuf.Reflection;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensorflow;

namespace Mantle.Serving.TfServing.Internal;

/// <summary>Maps between ONNX Runtime element types and TensorFlow dtypes.</summary>
internal static class TfDataTypes
{
    private static readonly EnumDescriptor DataTypeDescriptor = TypesReflection.Descriptor.EnumTypes.Single(e => e.Name == "DataType");

    public static bool TryToTf(TensorElementType type, out DataType dtype)
    {
        dtype = type switch
        {
            TensorElementType.Float => DataType.DtFloat,
            TensorElementType.UInt8 => DataType.DtUint8,
            TensorElementType.Int8 => DataType.DtInt8,
            TensorElementType.UInt16 => DataType.DtUint16,
            TensorElementType.Int16 => DataType.DtInt16,
            TensorElementType.Int32 => DataType.DtInt32,
            TensorElementType.Int64 => DataType.DtInt64,
            TensorElementType.String => DataType.DtString,
            TensorElementType.Bool => DataType.DtBool,
            TensorElementType.Float16 => DataType.DtHalf,
            TensorElementType.Double => DataType.DtDouble,
            TensorElementType.UInt32 => DataType.DtUint32,
            TensorElementType.UInt64 => DataType.DtUint64,
            TensorElementType.Complex64 => DataType.DtComplex64,
            TensorElementType.Complex128 => DataType.DtComplex128,
            TensorElementType.BFloat16 => DataType.DtBfloat16,
            _ => DataType.DtInvalid,
        };
        return dtype != DataType.DtInvalid;
    }

    public static bool TryFromTf(DataType dtype, out TensorElementType type)
    {
        type = dtype switch
        {
            DataType.DtFloat => TensorElementType.Float,
            DataType.DtUint8 => TensorElementType.UInt8,
            DataType.DtInt8 => TensorElementType.Int8,
            DataType.DtUint16 => TensorElementType.UInt16,
            DataType.DtInt16 => TensorElementType.Int16,
            DataType.DtInt32 => TensorElementType.Int32,
            DataType.DtInt64 => TensorElementType.Int64,
            DataType.DtString => TensorElementType.String,
            DataType.DtBool => TensorElementType.Bool,
            DataType.DtHalf => TensorElementType.Float16,
            DataType.DtDouble => TensorElementType.Double,
            DataType.DtUint32 => TensorElementType.UInt32,
            DataType.DtUint64 => TensorElementType.UInt64,
            DataType.DtComplex64 => TensorElementType.Complex64,
            DataType.DtComplex128 => TensorElementType.Complex128,
            DataType.DtBfloat16 => TensorElementType.BFloat16,
            _ => TensorElementType.DataTypeMax,
        };
        return type != TensorElementType.DataTypeMax;
    }

    /// <summary>The size of one element in bytes (0 for strings).</summary>
    public static int ElementSize(TensorElementType type) => type switch
    {
        TensorElementType.UInt8 or TensorElementType.Int8 or TensorElementType.Bool => 1,
        TensorElementType.UInt16 or TensorElementType.Int16 or TensorElementType.Float16 or TensorElementType.BFloat16 => 2,
        TensorElementType.Float or TensorElementType.Int32 or TensorElementType.UInt32 => 4,
        TensorElementType.Double or TensorElementType.Int64 or TensorElementType.UInt64 or TensorElementType.Complex64 => 8,
        TensorElementType.Complex128 => 16,
        _ => 0,
    };

    /// <summary>TensorFlow's name of a dtype, as in "DT_FLOAT" (from the proto descriptor).</summary>
    public static string Name(DataType dtype) =>
        DataTypeDescriptor.FindValueByNumber((int)dtype)?.Name ?? $"dtype {(int)dtype}";

    /// <summary>TensorFlow's name of the dtype that carries an ONNX Runtime element type.</summary>
    public static string Name(TensorElementType type) => TryToTf(type, out var dtype) ? Name(dtype) : type.ToString();
}
