using Onnx;

namespace Mantle.Serving.Tests.Conformance;

/// <summary>ONNX data types: names, sizes, and which ones the serving protocols carry.</summary>
internal static class OnnxTypes
{
    public static string Name(int dataType) =>
        Enum.IsDefined(typeof(TensorProto.Types.DataType), dataType)
            ? ((TensorProto.Types.DataType)dataType).ToString().ToUpperInvariant()
            : $"data type {dataType}";

    /// <summary>The types both KServe v2 and TF Serving carry: bool, [u]int8..64, float16, bfloat16, float, double, string.</summary>
    public static bool InProtocol(int dataType) => (TensorProto.Types.DataType)dataType is
        TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Int8
        or TensorProto.Types.DataType.Uint16 or TensorProto.Types.DataType.Int16 or TensorProto.Types.DataType.Int32
        or TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.String or TensorProto.Types.DataType.Bool
        or TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Uint32
        or TensorProto.Types.DataType.Uint64 or TensorProto.Types.DataType.Bfloat16;

    public static int ElementSize(int dataType) => (TensorProto.Types.DataType)dataType switch
    {
        TensorProto.Types.DataType.Bool or TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Int8 => 1,
        TensorProto.Types.DataType.Uint16 or TensorProto.Types.DataType.Int16 or TensorProto.Types.DataType.Float16
            or TensorProto.Types.DataType.Bfloat16 => 2,
        TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Int32 or TensorProto.Types.DataType.Uint32 => 4,
        TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Uint64 => 8,
        _ => 0,
    };
}
