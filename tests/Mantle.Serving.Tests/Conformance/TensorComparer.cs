using System.Buffers.Binary;
using System.Globalization;
using Mantle.Serving.Engine;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Tests.Conformance;

/// <summary>
/// Compares tensors as ONNX's backend tests do: floating point with |a - e| &lt;= atol + rtol·|e|
/// (NaN equals NaN), everything else exactly. Returns null when equal, else what differs.
/// </summary>
internal static class TensorComparer
{
    public const double RelativeTolerance = 1e-3;
    public const double AbsoluteTolerance = 1e-7;

    public static string? Difference(InferenceTensor expected, InferenceTensor actual)
    {
        if (expected.ElementType != actual.ElementType)
        {
            return $"'{expected.Name}': element type {actual.ElementType}, expected {expected.ElementType}";
        }

        // Scalars may come back as [] or [1] depending on the path; compare element counts and then shapes.
        if (!expected.Shape.SequenceEqual(actual.Shape))
        {
            return $"'{expected.Name}': shape [{string.Join(',', actual.Shape)}], expected [{string.Join(',', expected.Shape)}]";
        }

        if (expected.ElementType == TensorElementType.String)
        {
            for (var i = 0; i < expected.Strings!.Count; i++)
            {
                if (!expected.Strings[i].Span.SequenceEqual(actual.Strings![i].Span))
                {
                    return $"'{expected.Name}': string element {i} differs";
                }
            }

            return expected.Strings.Count == actual.Strings!.Count ? null : $"'{expected.Name}': {actual.Strings.Count} strings, expected {expected.Strings.Count}";
        }

        var e = expected.Data.Span;
        var a = actual.Data.Span;
        if (e.Length != a.Length)
        {
            return $"'{expected.Name}': {a.Length} bytes, expected {e.Length}";
        }

        Func<ReadOnlySpan<byte>, double>? read = expected.ElementType switch
        {
            TensorElementType.Float => s => BinaryPrimitives.ReadSingleLittleEndian(s),
            TensorElementType.Double => BinaryPrimitives.ReadDoubleLittleEndian,
            TensorElementType.Float16 => s => (double)BinaryPrimitives.ReadHalfLittleEndian(s),
            TensorElementType.BFloat16 => s => BitConverter.UInt32BitsToSingle((uint)BinaryPrimitives.ReadUInt16LittleEndian(s) << 16),
            _ => null,
        };
        if (read is null)
        {
            var index = e.CommonPrefixLength(a);
            return index == e.Length ? null : $"'{expected.Name}': byte {index} differs (exact comparison for {expected.ElementType})";
        }

        var size = expected.ElementType switch
        {
            TensorElementType.Float => 4,
            TensorElementType.Double => 8,
            _ => 2,
        };
        for (var i = 0; i < e.Length; i += size)
        {
            var x = read(e.Slice(i, size));
            var y = read(a.Slice(i, size));
            if (double.IsNaN(x) && double.IsNaN(y))
            {
                continue;
            }

            if (x == y)
            {
                continue;
            }

            if (double.IsInfinity(x) || double.IsInfinity(y) || !(Math.Abs(x - y) <= AbsoluteTolerance + (RelativeTolerance * Math.Abs(x))))
            {
                return string.Create(CultureInfo.InvariantCulture, $"'{expected.Name}': element {i / size} is {y}, expected {x} (rtol {RelativeTolerance}, atol {AbsoluteTolerance})");
            }
        }

        return null;
    }
}
