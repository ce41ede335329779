using System.Text.Json;
using csFastFloat;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Protocol.Internal;

/// <summary>
/// JSON numbers in floating-point tensors, one rule for the TF Serving and KServe REST APIs: a number must be finite in
/// the element type once rounded to it (<c>1e39</c> is out of range for FP32, <c>70000</c> for FP16); NaN and the
/// infinities travel only as their spelled-out forms, which each API reads itself.
/// Numbers are read with Lemire's fast_float algorithm (the csFastFloat package) rather than the general-purpose parser
/// behind <see cref="Utf8JsonReader.TryGetSingle"/>: the same correctly rounded result (round to nearest, ties to even,
/// as <see cref="float.Parse(string)"/>), several times faster, which matters for tensors of a hundred thousand numbers.
/// </summary>
internal static class JsonFloats
{
    /// <summary>The smallest magnitude that rounds to infinity in bfloat16 (halfway between its largest finite value and 2^128).</summary>
    private static readonly float BFloat16Overflow = BitConverter.UInt32BitsToSingle(0x7F7F8000);

    /// <summary>
    /// Reads the current number token as a value of <paramref name="type"/> (Float, Double, Float16 or
    /// BFloat16); false when it is outside the type's finite range. Float, Float16 and BFloat16 values are parsed
    /// straight to float (not through double, which would round twice) and returned as that float.
    /// </summary>
    public static bool TryReadNumber(ref Utf8JsonReader reader, TensorElementType type, out double value)
    {
        if (type == TensorElementType.Double)
        {
            return TryGetDouble(ref reader, out value);
        }

        value = 0;
        if (!TryGetSingle(ref reader, out var single))
        {
            return false;
        }

        value = single;
        return type switch
        {
            TensorElementType.Float16 => Half.IsFinite((Half)single),
            TensorElementType.BFloat16 => Math.Abs(single) < BFloat16Overflow,
            _ => true,
        };
    }

    /// <summary>The current number token as the nearest float; false for anything else or a number beyond float's range.</summary>
    public static bool TryGetSingle(ref Utf8JsonReader reader, out float value)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            value = 0;
            return false;
        }

        if (reader.HasValueSequence)
        {
            return reader.TryGetSingle(out value) && float.IsFinite(value);
        }

        var text = reader.ValueSpan;
        if (FastFloatParser.TryParseFloat(text, out var consumed, out value) && consumed == text.Length && float.IsFinite(value))
        {
            return true;
        }

        value = 0;
        return false;
    }

    /// <summary>The current number token as the nearest double; false for anything else or a number beyond double's range.</summary>
    public static bool TryGetDouble(ref Utf8JsonReader reader, out double value)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            value = 0;
            return false;
        }

        if (reader.HasValueSequence)
        {
            return reader.TryGetDouble(out value) && double.IsFinite(value);
        }

        var text = reader.ValueSpan;
        if (FastDoubleParser.TryParseDouble(text, out var consumed, out value) && consumed == text.Length && double.IsFinite(value))
        {
            return true;
        }

        value = 0;
        return false;
    }
}
