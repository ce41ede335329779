using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using Mantle.Serving.Protocol.Internal;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.TfServing.Internal.Rest;

/// <summary>Reads and converts single JSON values: floats with TF Serving's non-finite spellings, bfloat16 rounding, base64.</summary>
internal static class JsonScalars
{
    public static ushort ToBFloat16(float value)
    {
        if (float.IsNaN(value))
        {
            return 0x7FC0;
        }

        var bits = BitConverter.SingleToUInt32Bits(value);
        bits += 0x7FFF + ((bits >> 16) & 1);
        return (ushort)(bits >> 16);
    }

    /// <summary>Reads a float element of <paramref name="type"/>: a number in the type's range (<see cref="JsonFloats"/>) or a non-finite spelling.</summary>
    public static bool TryReadFloat(ref Utf8JsonReader reader, TensorElementType type, out double value) =>
        reader.TokenType == JsonTokenType.Number ? JsonFloats.TryReadNumber(ref reader, type, out value) : TryReadNonFinite(ref reader, out value);

    private static bool TryReadNonFinite(ref Utf8JsonReader reader, out double value)
    {
        value = 0;
        if (reader.TokenType != JsonTokenType.String || reader.ValueIsEscaped)
        {
            return false;
        }

        if (reader.ValueTextEquals("NaN"u8))
        {
            value = double.NaN;
        }
        else if (reader.ValueTextEquals("Infinity"u8))
        {
            value = double.PositiveInfinity;
        }
        else if (reader.ValueTextEquals("-Infinity"u8))
        {
            value = double.NegativeInfinity;
        }
        else
        {
            return false;
        }

        return true;
    }

    public static byte[]? DecodeBase64(ReadOnlySpan<byte> encoded)
    {
        var padding = (4 - (encoded.Length % 4)) % 4;
        if (padding == 3)
        {
            return null;
        }

        var padded = encoded;
        if (padding > 0)
        {
            var copy = new byte[encoded.Length + padding];
            encoded.CopyTo(copy);
            copy.AsSpan(encoded.Length).Fill((byte)'=');
            padded = copy;
        }

        var output = new byte[Base64.GetMaxDecodedFromUtf8Length(padded.Length)];
        if (Base64.DecodeFromUtf8(padded, output, out _, out var written) != OperationStatus.Done)
        {
            return null;
        }

        return written == output.Length ? output : output.AsSpan(0, written).ToArray();
    }
}
