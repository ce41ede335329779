namespace Mantle.Client.Tensors;

/// <summary>The element types that the inference protocols carry.</summary>
public enum TensorDataType
{
    /// <summary>Boolean, one byte per element.</summary>
    Bool,

    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8,

    /// <summary>Unsigned 16-bit integer.</summary>
    UInt16,

    /// <summary>Unsigned 32-bit integer.</summary>
    UInt32,

    /// <summary>Unsigned 64-bit integer.</summary>
    UInt64,

    /// <summary>Signed 8-bit integer.</summary>
    Int8,

    /// <summary>Signed 16-bit integer.</summary>
    Int16,

    /// <summary>Signed 32-bit integer.</summary>
    Int32,

    /// <summary>Signed 64-bit integer.</summary>
    Int64,

    /// <summary>IEEE 754 half precision.</summary>
    Float16,

    /// <summary>bfloat16.</summary>
    BFloat16,

    /// <summary>IEEE 754 single precision.</summary>
    Float32,

    /// <summary>IEEE 754 double precision.</summary>
    Float64,

    /// <summary>Byte strings (KServe BYTES, TF DT_STRING).</summary>
    String,
}
