using System.Buffers.Binary;
using System.Text.Json;
using Mantle.Serving.Protocol.Internal;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.KServe.Internal;

/// <summary>Decodes an input's JSON "data" value (flat or nested arrays) into little-endian element bytes or byte strings.</summary>
internal static class KServeJsonDataDecoder
{
    /// <summary>Decodes numeric or bool elements; the count must equal <paramref name="expectedCount"/>.</summary>
    public static byte[] DecodeFixed(ReadOnlySpan<byte> json, string input, TensorElementType type, long expectedCount)
    {
        var size = KServeDataTypes.ElementSize(type);

        // Every JSON element takes at least one byte: a larger count cannot match, so do not allocate for it.
        var buffer = expectedCount <= json.Length ? new byte[expectedCount * size] : [];
        long count = 0;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                case JsonTokenType.EndArray:
                    continue;
                case JsonTokenType.StartObject:
                    throw Bad(input, "\"data\" must hold only arrays and elements, not objects");
            }

            if (count < expectedCount && buffer.Length > 0)
            {
                WriteElement(ref reader, buffer.AsSpan((int)(count * size), size), input, type, count);
            }

            count++;
        }

        return count != expectedCount ? throw CountMismatch(input, expectedCount, count) : buffer;
    }

    /// <summary>Decodes BYTES elements (JSON strings, as UTF-8).</summary>
    public static ReadOnlyMemory<byte>[] DecodeStrings(ReadOnlySpan<byte> json, string input, long expectedCount)
    {
        var strings = expectedCount <= json.Length ? new ReadOnlyMemory<byte>[expectedCount] : [];
        long count = 0;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartArray:
                case JsonTokenType.EndArray:
                    continue;
                case JsonTokenType.String:
                    if (count < strings.Length)
                    {
                        strings[count] = JsonText.CopyText(ref reader) ?? throw Bad(input, JsonText.NotText($"element {count}"));
                    }

                    count++;
                    continue;
                default:
                    throw Bad(input, $"element {count} must be a string for datatype BYTES");
            }
        }

        return count != expectedCount ? throw CountMismatch(input, expectedCount, count) : strings;
    }

    private static void WriteElement(ref Utf8JsonReader reader, Span<byte> target, string input, TensorElementType type, long index)
    {
        if (type == TensorElementType.Bool)
        {
            target[0] = reader.TokenType switch
            {
                JsonTokenType.True => 1,
                JsonTokenType.False => 0,
                _ => throw Bad(input, $"element {index} must be true or false for datatype BOOL"),
            };
            return;
        }

        if (type == TensorElementType.Float)
        {
            BinaryPrimitives.WriteSingleLittleEndian(target, ReadSingle(ref reader, input, type, index));
            return;
        }

        if (type is TensorElementType.Double or TensorElementType.Float16 or TensorElementType.BFloat16)
        {
            var value = ReadFloat(ref reader, input, type, index);
            switch (type)
            {
                case TensorElementType.Float:
                    BinaryPrimitives.WriteSingleLittleEndian(target, (float)value);
                    break;
                case TensorElementType.Double:
                    BinaryPrimitives.WriteDoubleLittleEndian(target, value);
                    break;
                case TensorElementType.Float16:
                    BinaryPrimitives.WriteHalfLittleEndian(target, (Half)value);
                    break;
                default:
                    BinaryPrimitives.WriteUInt16LittleEndian(target, KServeTensorCodec.ToBFloat16((float)value));
                    break;
            }

            return;
        }

        if (reader.TokenType != JsonTokenType.Number)
        {
            throw Bad(input, $"element {index} must be an integer for datatype {KServeDataTypes.ToName(type)}");
        }

        if (type == TensorElementType.UInt64)
        {
            if (!reader.TryGetUInt64(out var u))
            {
                throw OutOfRange(input, type, index);
            }

            BinaryPrimitives.WriteUInt64LittleEndian(target, u);
            return;
        }

        if (!reader.TryGetInt64(out var v))
        {
            throw OutOfRange(input, type, index);
        }

        switch (type)
        {
            case TensorElementType.Int8 when v is >= sbyte.MinValue and <= sbyte.MaxValue:
                target[0] = (byte)(sbyte)v;
                break;
            case TensorElementType.UInt8 when v is >= 0 and <= byte.MaxValue:
                target[0] = (byte)v;
                break;
            case TensorElementType.Int16 when v is >= short.MinValue and <= short.MaxValue:
                BinaryPrimitives.WriteInt16LittleEndian(target, (short)v);
                break;
            case TensorElementType.UInt16 when v is >= 0 and <= ushort.MaxValue:
                BinaryPrimitives.WriteUInt16LittleEndian(target, (ushort)v);
                break;
            case TensorElementType.Int32 when v is >= int.MinValue and <= int.MaxValue:
                BinaryPrimitives.WriteInt32LittleEndian(target, (int)v);
                break;
            case TensorElementType.UInt32 when v is >= 0 and <= uint.MaxValue:
                BinaryPrimitives.WriteUInt32LittleEndian(target, (uint)v);
                break;
            case TensorElementType.Int64:
                BinaryPrimitives.WriteInt64LittleEndian(target, v);
                break;
            default:
                throw OutOfRange(input, type, index);
        }
    }

    /// <summary>
    /// An FP32 element, parsed straight to the nearest float (parsing to double first and narrowing rounds twice);
    /// anything else (non-finite spellings, numbers beyond float's range) as <see cref="ReadFloat"/> reads it.
    /// </summary>
    private static float ReadSingle(ref Utf8JsonReader reader, string input, TensorElementType type, long index) =>
        JsonFloats.TryGetSingle(ref reader, out var value) ? value : (float)ReadFloat(ref reader, input, type, index);

    private static double ReadFloat(ref Utf8JsonReader reader, string input, TensorElementType type, long index)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return JsonFloats.TryReadNumber(ref reader, type, out var value)
                ? value
                : throw Bad(input, $"element {index} is outside the range of datatype {KServeDataTypes.ToName(type)}; send \"Infinity\" or \"-Infinity\" for an infinite value");
        }

        // JSON has no literal for non-finite numbers; accept the spellings the server writes.
        if (reader.TokenType == JsonTokenType.String && !reader.ValueIsEscaped)
        {
            if (reader.ValueTextEquals("NaN"u8))
            {
                return double.NaN;
            }

            if (reader.ValueTextEquals("Infinity"u8) || reader.ValueTextEquals("inf"u8))
            {
                return double.PositiveInfinity;
            }

            if (reader.ValueTextEquals("-Infinity"u8) || reader.ValueTextEquals("-inf"u8))
            {
                return double.NegativeInfinity;
            }
        }

        throw Bad(input, $"element {index} must be a number (or \"NaN\", \"Infinity\", \"-Infinity\") for datatype {KServeDataTypes.ToName(type)}");
    }

    private static KServeRequestException OutOfRange(string input, TensorElementType type, long index) =>
        Bad(input, $"element {index} is not an integer in the range of datatype {KServeDataTypes.ToName(type)}");

    private static KServeRequestException CountMismatch(string input, long expected, long actual) =>
        Bad(input, $"\"shape\" has {expected} elements but \"data\" has {actual}; the shape's product must equal the number of elements");

    private static KServeRequestException Bad(string input, string message) => new($"input '{input}': {message}");
}
