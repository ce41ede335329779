using System.Text.Json;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Protocol.Internal;

/// <summary>
/// The rule for JSON numbers in floating-point tensors, one for the TF Serving and KServe REST APIs: a number
/// must be finite in the element type once rounded to it (<c>1e39</c> is out of range for FP32, <c>70000</c>
/// for FP16); NaN and the infinities travel only as their spelled-out forms, which each API reads itself.
/// </summary>
internal static class JsonFloats
{
    /// <summary>The smallest magnitude that rounds to infinity in bfloat16 (halfway between its largest finite value and 2^128).</summary>
    private static readonly float BFloat16Overflow = BitConverter.UInt32BitsToSingle(0x7F7F8000);

    /// <summary>
    /// Reads the current number token as a value of <paramref name="type"/> (Float, Double, Float16 or
    /// BFloat16); false when it is outside the type's finite range. Float16 and BFloat16 values are returned
    /// as the float they round from.
    /// </summary>
    public static bool TryReadNumber(ref Utf8JsonReader reader, TensorElementType type, out double value)
    {
        if (type == TensorElementType.Double)
        {
            return reader.TryGetDouble(out value) && double.IsFinite(value);
        }

        value = 0;
        if (!reader.TryGetSingle(out var single) || !float.IsFinite(single))
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
}
