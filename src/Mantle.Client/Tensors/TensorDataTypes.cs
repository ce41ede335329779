using System.Diagnostics.CodeAnalysis;

namespace Mantle.Client.Tensors;

/// <summary>Sizes and protocol names of <see cref="TensorDataType"/> values.</summary>
public static class TensorDataTypes
{
    private static readonly (TensorDataType Type, string KServe, string TfServing, string Numpy, int Size)[] Table =
    [
        (TensorDataType.Bool, "BOOL", "DT_BOOL", "|b1", 1),
        (TensorDataType.UInt8, "UINT8", "DT_UINT8", "|u1", 1),
        (TensorDataType.UInt16, "UINT16", "DT_UINT16", "<u2", 2),
        (TensorDataType.UInt32, "UINT32", "DT_UINT32", "<u4", 4),
        (TensorDataType.UInt64, "UINT64", "DT_UINT64", "<u8", 8),
        (TensorDataType.Int8, "INT8", "DT_INT8", "|i1", 1),
        (TensorDataType.Int16, "INT16", "DT_INT16", "<i2", 2),
        (TensorDataType.Int32, "INT32", "DT_INT32", "<i4", 4),
        (TensorDataType.Int64, "INT64", "DT_INT64", "<i8", 8),
        (TensorDataType.Float16, "FP16", "DT_HALF", "<f2", 2),
        (TensorDataType.BFloat16, "BF16", "DT_BFLOAT16", "", 2),
        (TensorDataType.Float32, "FP32", "DT_FLOAT", "<f4", 4),
        (TensorDataType.Float64, "FP64", "DT_DOUBLE", "<f8", 8),
        (TensorDataType.String, "BYTES", "DT_STRING", "", 0),
    ];

    /// <summary>The size of one element in bytes; 0 for <see cref="TensorDataType.String"/>.</summary>
    public static int SizeOf(TensorDataType type) => Row(type).Size;

    /// <summary>The KServe v2 datatype name (<c>FP32</c>, <c>INT64</c>, <c>BYTES</c>, …).</summary>
    public static string ToKServeName(TensorDataType type) => Row(type).KServe;

    /// <summary>The TensorFlow DataType name (<c>DT_FLOAT</c>, …).</summary>
    public static string ToTfServingName(TensorDataType type) => Row(type).TfServing;

    /// <summary>The NumPy dtype descriptor (<c>&lt;f4</c>, …), or an empty string where NumPy has none.</summary>
    public static string ToNumpyDescriptor(TensorDataType type) => Row(type).Numpy;

    /// <summary>Parses a KServe datatype name or a TensorFlow DataType name (case-insensitive), or a common alias such as <c>float32</c>.</summary>
    public static bool TryParse(string? name, [NotNullWhen(true)] out TensorDataType? type)
    {
        type = null;
        if (string.IsNullOrEmpty(name))
        {
            return false;
        }

        foreach (var row in Table)
        {
            if (string.Equals(row.KServe, name, StringComparison.OrdinalIgnoreCase)
                || string.Equals(row.TfServing, name, StringComparison.OrdinalIgnoreCase)
                || string.Equals(row.Type.ToString(), name, StringComparison.OrdinalIgnoreCase))
            {
                type = row.Type;
                return true;
            }
        }

        type = name.ToLowerInvariant() switch
        {
            "float" => TensorDataType.Float32,
            "double" => TensorDataType.Float64,
            "half" => TensorDataType.Float16,
            "bytes" or "str" => TensorDataType.String,
            _ => null,
        };
        return type is not null;
    }

    /// <summary>Parses a NumPy dtype descriptor such as <c>&lt;f4</c> or <c>|u1</c>; big-endian descriptors are refused.</summary>
    public static bool TryParseNumpy(string descriptor, [NotNullWhen(true)] out TensorDataType? type)
    {
        type = null;
        if (string.IsNullOrEmpty(descriptor))
        {
            return false;
        }

        var normalized = descriptor[0] == '=' ? "<" + descriptor[1..] : descriptor;
        if (normalized.Length == 2)
        {
            normalized = (normalized[1] == '1' ? "|" : "<") + normalized;
        }
        else if (normalized[0] == '<' && normalized.EndsWith('1'))
        {
            normalized = "|" + normalized[1..];
        }

        foreach (var row in Table)
        {
            if (row.Numpy.Length > 0 && row.Numpy == normalized)
            {
                type = row.Type;
                return true;
            }
        }

        return false;
    }

    private static (TensorDataType Type, string KServe, string TfServing, string Numpy, int Size) Row(TensorDataType type)
    {
        foreach (var row in Table)
        {
            if (row.Type == type)
            {
                return row;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown tensor data type.");
    }
}
