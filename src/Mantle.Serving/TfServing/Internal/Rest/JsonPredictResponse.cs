using System.Buffers.Binary;
using System.Buffers.Text;
using System.Globalization;
using System.Text.Json;
using Mantle.Serving.Engine;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.TfServing.Internal.Rest;

/// <summary>
/// Writes predict outputs as TF Serving does: row format <c>{"predictions": [...]}</c> (one entry per
/// item of the 0-th dimension, an object keyed by output name when there are several outputs) or
/// columnar <c>{"outputs": ...}</c>. Floats are written in shortest round-trip form with ".0" on whole
/// numbers and bare NaN/Infinity/-Infinity; string outputs whose name ends in "_bytes" (and strings
/// that are not UTF-8) are written as <c>{"b64": …}</c>.
/// </summary>
internal static class JsonPredictResponse
{
    /// <summary>Checks that the outputs can be written in row format (same 0-th dimension, rank ≥ 1).</summary>
    public static ServingError? CheckRowFormat(IReadOnlyList<InferenceTensor> outputs)
    {
        long batch = -1;
        foreach (var output in outputs)
        {
            if (output.Shape.Count == 0)
            {
                return new ServingError(ServingErrorCode.InvalidArgument, $"Tensor name: {output.Name} has no shape information (a scalar cannot be split into instances); use the columnar 'inputs' request format");
            }

            if (batch >= 0 && output.Shape[0] != batch)
            {
                return new ServingError(ServingErrorCode.InvalidArgument, $"Tensor name: {output.Name} has inconsistent batch size: {output.Shape[0]} expecting: {batch}; use the columnar 'inputs' request format");
            }

            batch = output.Shape[0];
        }

        return null;
    }

    public static void Write(Utf8JsonWriter writer, IReadOnlyList<InferenceTensor> outputs, bool rowFormat)
    {
        var multiple = outputs.Count > 1;
        writer.WriteStartObject();
        if (rowFormat)
        {
            writer.WritePropertyName("predictions"u8);
            writer.WriteStartArray();
            var offsets = new long[outputs.Count];
            var batch = outputs.Count > 0 ? outputs[0].Shape[0] : 0;
            for (var item = 0; item < batch; item++)
            {
                if (multiple)
                {
                    writer.WriteStartObject();
                }

                for (var i = 0; i < outputs.Count; i++)
                {
                    if (multiple)
                    {
                        writer.WritePropertyName(outputs[i].Name);
                    }

                    WriteValues(writer, outputs[i], 1, ref offsets[i]);
                }

                if (multiple)
                {
                    writer.WriteEndObject();
                }
            }

            writer.WriteEndArray();
        }
        else
        {
            writer.WritePropertyName("outputs"u8);
            if (multiple)
            {
                writer.WriteStartObject();
            }

            foreach (var output in outputs)
            {
                if (multiple)
                {
                    writer.WritePropertyName(output.Name);
                }

                long offset = 0;
                WriteValues(writer, output, 0, ref offset);
            }

            if (multiple)
            {
                writer.WriteEndObject();
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteValues(Utf8JsonWriter writer, InferenceTensor tensor, int dim, ref long offset)
    {
        if (dim >= tensor.Shape.Count)
        {
            WriteValue(writer, tensor, offset++);
            return;
        }

        writer.WriteStartArray();
        for (long i = 0; i < tensor.Shape[dim]; i++)
        {
            WriteValues(writer, tensor, dim + 1, ref offset);
        }

        writer.WriteEndArray();
    }

    private static void WriteValue(Utf8JsonWriter writer, InferenceTensor tensor, long index)
    {
        var data = tensor.Data.Span;
        var i = checked((int)index);
        switch (tensor.ElementType)
        {
            case TensorElementType.Float:
                WriteFloat(writer, BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..]));
                break;
            case TensorElementType.Float16:
                WriteFloat(writer, (float)BitConverter.UInt16BitsToHalf(BinaryPrimitives.ReadUInt16LittleEndian(data[(i * 2)..])));
                break;
            case TensorElementType.BFloat16:
                WriteFloat(writer, BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(data[(i * 2)..]) << 16));
                break;
            case TensorElementType.Double:
                WriteDouble(writer, BinaryPrimitives.ReadDoubleLittleEndian(data[(i * 8)..]));
                break;
            case TensorElementType.Bool:
                writer.WriteBooleanValue(data[i] != 0);
                break;
            case TensorElementType.Int8:
                writer.WriteNumberValue((sbyte)data[i]);
                break;
            case TensorElementType.UInt8:
                writer.WriteNumberValue(data[i]);
                break;
            case TensorElementType.Int16:
                writer.WriteNumberValue(BinaryPrimitives.ReadInt16LittleEndian(data[(i * 2)..]));
                break;
            case TensorElementType.UInt16:
                writer.WriteNumberValue(BinaryPrimitives.ReadUInt16LittleEndian(data[(i * 2)..]));
                break;
            case TensorElementType.Int32:
                writer.WriteNumberValue(BinaryPrimitives.ReadInt32LittleEndian(data[(i * 4)..]));
                break;
            case TensorElementType.UInt32:
                writer.WriteNumberValue(BinaryPrimitives.ReadUInt32LittleEndian(data[(i * 4)..]));
                break;
            case TensorElementType.Int64:
                writer.WriteNumberValue(BinaryPrimitives.ReadInt64LittleEndian(data[(i * 8)..]));
                break;
            case TensorElementType.UInt64:
                writer.WriteNumberValue(BinaryPrimitives.ReadUInt64LittleEndian(data[(i * 8)..]));
                break;
            case TensorElementType.String:
                WriteString(writer, tensor.Strings![i].Span, tensor.Name.EndsWith("_bytes", StringComparison.Ordinal));
                break;
            default:
                throw new InvalidOperationException($"Output '{tensor.Name}' has element type {tensor.ElementType}, which JSON cannot carry.");
        }
    }

    private static void WriteString(Utf8JsonWriter writer, ReadOnlySpan<byte> value, bool asBytes)
    {
        if (!asBytes && System.Text.Unicode.Utf8.IsValid(value))
        {
            writer.WriteStringValue(value);
            return;
        }

        var encoded = new byte[Base64.GetMaxEncodedToUtf8Length(value.Length)];
        Base64.EncodeToUtf8(value, encoded, out _, out var written);
        writer.WriteStartObject();
        writer.WriteString("b64"u8, encoded.AsSpan(0, written));
        writer.WriteEndObject();
    }

    private static void WriteFloat(Utf8JsonWriter writer, float value)
    {
        if (!float.IsFinite(value))
        {
            WriteNonFinite(writer, value);
            return;
        }

        Span<byte> text = stackalloc byte[32];
        value.TryFormat(text, out var length, default, CultureInfo.InvariantCulture);
        WriteDecimal(writer, text, length);
    }

    private static void WriteDouble(Utf8JsonWriter writer, double value)
    {
        if (!double.IsFinite(value))
        {
            WriteNonFinite(writer, value);
            return;
        }

        Span<byte> text = stackalloc byte[40];
        value.TryFormat(text, out var length, default, CultureInfo.InvariantCulture);
        WriteDecimal(writer, text, length);
    }

    private static void WriteDecimal(Utf8JsonWriter writer, Span<byte> text, int length)
    {
        // Whole numbers get ".0" so that consumers read every element of a float tensor as a float.
        if (text[..length].IndexOfAny((byte)'.', (byte)'E', (byte)'e') < 0)
        {
            text[length++] = (byte)'.';
            text[length++] = (byte)'0';
        }

        writer.WriteRawValue(text[..length], skipInputValidation: true);
    }

    private static void WriteNonFinite(Utf8JsonWriter writer, double value) =>
        writer.WriteRawValue(double.IsNaN(value) ? "NaN"u8 : value > 0 ? "Infinity"u8 : "-Infinity"u8, skipInputValidation: true);
}
