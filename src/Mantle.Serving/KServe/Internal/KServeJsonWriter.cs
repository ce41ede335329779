using System.Buffers.Binary;
using System.Text.Json;
using Mantle.Serving.Engine;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.KServe.Internal;

/// <summary>Writes tensors and metadata as the protocol's JSON.</summary>
internal static class KServeJsonWriter
{
    /// <summary>Writes one element array ("data") from raw little-endian bytes or byte strings.</summary>
    public static void WriteData(Utf8JsonWriter writer, InferenceTensor tensor)
    {
        writer.WriteStartArray("data");
        var span = tensor.Data.Span;
        switch (tensor.ElementType)
        {
            case TensorElementType.String:
                foreach (var s in tensor.Strings!)
                {
                    writer.WriteStringValue(System.Text.Encoding.UTF8.GetString(s.Span));
                }

                break;
            case TensorElementType.Bool:
                foreach (var b in span)
                {
                    writer.WriteBooleanValue(b != 0);
                }

                break;
            case TensorElementType.UInt8:
                foreach (var b in span)
                {
                    writer.WriteNumberValue(b);
                }

                break;
            case TensorElementType.Int8:
                foreach (var b in span)
                {
                    writer.WriteNumberValue((sbyte)b);
                }

                break;
            case TensorElementType.UInt16:
                for (var i = 0; i + 2 <= span.Length; i += 2)
                {
                    writer.WriteNumberValue(BinaryPrimitives.ReadUInt16LittleEndian(span[i..]));
                }

                break;
            case TensorElementType.Int16:
                for (var i = 0; i + 2 <= span.Length; i += 2)
                {
                    writer.WriteNumberValue(BinaryPrimitives.ReadInt16LittleEndian(span[i..]));
                }

                break;
            case TensorElementType.UInt32:
                for (var i = 0; i + 4 <= span.Length; i += 4)
                {
                    writer.WriteNumberValue(BinaryPrimitives.ReadUInt32LittleEndian(span[i..]));
                }

                break;
            case TensorElementType.Int32:
                for (var i = 0; i + 4 <= span.Length; i += 4)
                {
                    writer.WriteNumberValue(BinaryPrimitives.ReadInt32LittleEndian(span[i..]));
                }

                break;
            case TensorElementType.UInt64:
                for (var i = 0; i + 8 <= span.Length; i += 8)
                {
                    writer.WriteNumberValue(BinaryPrimitives.ReadUInt64LittleEndian(span[i..]));
                }

                break;
            case TensorElementType.Int64:
                for (var i = 0; i + 8 <= span.Length; i += 8)
                {
                    writer.WriteNumberValue(BinaryPrimitives.ReadInt64LittleEndian(span[i..]));
                }

                break;
            case TensorElementType.Float16:
                for (var i = 0; i + 2 <= span.Length; i += 2)
                {
                    WriteFloat(writer, (float)BinaryPrimitives.ReadHalfLittleEndian(span[i..]));
                }

                break;
            case TensorElementType.BFloat16:
                for (var i = 0; i + 2 <= span.Length; i += 2)
                {
                    WriteFloat(writer, KServeTensorCodec.FromBFloat16(BinaryPrimitives.ReadUInt16LittleEndian(span[i..])));
                }

                break;
            case TensorElementType.Float:
                for (var i = 0; i + 4 <= span.Length; i += 4)
                {
                    WriteFloat(writer, BinaryPrimitives.ReadSingleLittleEndian(span[i..]));
                }

                break;
            case TensorElementType.Double:
                for (var i = 0; i + 8 <= span.Length; i += 8)
                {
                    WriteDouble(writer, BinaryPrimitives.ReadDoubleLittleEndian(span[i..]));
                }

                break;
            default:
                throw new KServeRequestException(
                    $"output '{tensor.Name}' has element type {tensor.ElementType}, which the protocol cannot carry", ServingErrorCode.Unimplemented);
        }

        writer.WriteEndArray();
    }

    /// <summary>Writes a tensor's metadata (name, datatype, shape).</summary>
    public static void WriteTensorMetadata(Utf8JsonWriter writer, TensorSpec spec)
    {
        writer.WriteStartObject();
        writer.WriteString("name", spec.Name);
        writer.WriteString("datatype", KServeDataTypes.ToName(spec.ElementType) ?? spec.ElementType.ToString().ToUpperInvariant());
        WriteShape(writer, spec.Shape);
        writer.WriteEndObject();
    }

    public static void WriteShape(Utf8JsonWriter writer, IReadOnlyList<long> shape)
    {
        writer.WriteStartArray("shape");
        foreach (var dim in shape)
        {
            writer.WriteNumberValue(dim);
        }

        writer.WriteEndArray();
    }

    // JSON has no literal for non-finite numbers: they are written as the strings the decoder accepts.
    private static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        if (float.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(NonFinite(value));
        }
    }

    private static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (double.IsFinite(value))
        {
            writer.WriteNumberValue(value);
        }
        else
        {
            writer.WriteStringValue(NonFinite(value));
        }
    }

    private static string NonFinite(double value) => double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";
}
