using System.Buffers;
using System.Buffers.Binary;
using Mantle.Serving.Engine;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.KServe.Internal;

/// <summary>Conversions shared by the REST and gRPC forms: raw tensor bytes, BYTES elements, signature checks.</summary>
internal static class KServeTensorCodec
{
    /// <summary>Checks a shape and returns its element count.</summary>
    public static long ElementCount(string input, IReadOnlyList<long> shape)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            if (dim < 0)
            {
                throw new KServeRequestException($"input '{input}': \"shape\" has a negative dimension; give the actual size of every dimension");
            }

            try
            {
                count = checked(count * dim);
            }
            catch (OverflowException)
            {
                throw new KServeRequestException($"input '{input}': \"shape\" has too many elements");
            }
        }

        return count;
    }

    /// <summary>Parses a datatype name, with a message naming the input when it is not one of the protocol's.</summary>
    public static TensorElementType ParseDatatype(string input, string? datatype) =>
        KServeDataTypes.TryParse(datatype, out var type)
            ? type
            : throw new KServeRequestException(datatype is null
                ? $"input '{input}' has no \"datatype\"; use one of {KServeDataTypes.AllNames}"
                : $"input '{input}' has datatype '{datatype}', which the protocol does not define; use one of {KServeDataTypes.AllNames}");

    /// <summary>Builds a tensor over raw bytes (not copied): fixed-size elements, or BYTES as 4-byte little-endian length + bytes.</summary>
    public static InferenceTensor FromRaw(string input, TensorElementType type, long[] shape, ReadOnlyMemory<byte> raw)
    {
        var count = ElementCount(input, shape);
        if (type == TensorElementType.String)
        {
            return InferenceTensor.FromStrings(input, shape, SplitBytesElements(input, raw, count));
        }

        var expected = count * KServeDataTypes.ElementSize(type);
        if (raw.Length != expected)
        {
            throw new KServeRequestException(
                $"input '{input}': {raw.Length} bytes of data but shape [{string.Join(',', shape)}] of {KServeDataTypes.ToName(type)} needs {expected}");
        }

        return InferenceTensor.FromBytes(input, type, shape, raw);
    }

    /// <summary>Splits length-prefixed BYTES elements into views of <paramref name="raw"/>.</summary>
    public static ReadOnlyMemory<byte>[] SplitBytesElements(string input, ReadOnlyMemory<byte> raw, long count)
    {
        var elements = new ReadOnlyMemory<byte>[count];
        var offset = 0;
        var span = raw.Span;
        for (long i = 0; i < count; i++)
        {
            if (span.Length - offset < 4)
            {
                throw new KServeRequestException($"input '{input}': the BYTES data ends before element {i} of {count}; each element is a 4-byte little-endian length and the bytes");
            }

            var length = BinaryPrimitives.ReadUInt32LittleEndian(span[offset..]);
            offset += 4;
            if (length > (uint)(span.Length - offset))
            {
                throw new KServeRequestException($"input '{input}': BYTES element {i} claims {length} bytes but only {span.Length - offset} remain");
            }

            elements[i] = raw.Slice(offset, (int)length);
            offset += (int)length;
        }

        return offset != span.Length
            ? throw new KServeRequestException($"input '{input}': {span.Length - offset} bytes remain after the {count} BYTES elements the shape describes")
            : elements;
    }

    /// <summary>The raw form of an output: its bytes, or length-prefixed BYTES elements.</summary>
    public static int RawLength(InferenceTensor tensor)
    {
        if (tensor.Strings is null)
        {
            return tensor.Data.Length;
        }

        var length = 0;
        foreach (var s in tensor.Strings)
        {
            length += 4 + s.Length;
        }

        return length;
    }

    /// <summary>Writes the raw form of an output.</summary>
    public static void WriteRaw(InferenceTensor tensor, IBufferWriter<byte> writer)
    {
        if (tensor.Strings is null)
        {
            writer.Write(tensor.Data.Span);
            return;
        }

        foreach (var s in tensor.Strings)
        {
            var prefix = writer.GetSpan(4);
            BinaryPrimitives.WriteUInt32LittleEndian(prefix, (uint)s.Length);
            writer.Advance(4);
            writer.Write(s.Span);
        }
    }

    /// <summary>Checks request inputs and outputs against the model's signature, in the protocol's terms.</summary>
    public static void CheckSignature(IServableModel model, IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string>? outputs)
    {
        var signature = model.Signature;
        foreach (var tensor in inputs)
        {
            TensorSpec? spec = null;
            foreach (var candidate in signature.Inputs)
            {
                if (candidate.Name == tensor.Name)
                {
                    spec = candidate;
                    break;
                }
            }

            if (spec is null)
            {
                throw new KServeRequestException(
                    $"model '{model.Name}' has no input '{tensor.Name}'; its inputs are {Names(signature.Inputs)}");
            }

            if (spec.ElementType != tensor.ElementType)
            {
                throw new KServeRequestException(
                    $"input '{tensor.Name}' has datatype {KServeDataTypes.ToName(tensor.ElementType)} but model '{model.Name}' expects {KServeDataTypes.ToName(spec.ElementType) ?? spec.ElementType.ToString()}");
            }
        }

        if (outputs is null)
        {
            return;
        }

        foreach (var name in outputs)
        {
            var known = false;
            foreach (var spec in signature.Outputs)
            {
                known |= spec.Name == name;
            }

            if (!known)
            {
                throw new KServeRequestException(
                    $"model '{model.Name}' has no output '{name}'; its outputs are {Names(signature.Outputs)}");
            }
        }
    }

    /// <summary>Converts a float to bfloat16 bits, rounding to nearest even.</summary>
    public static ushort ToBFloat16(float value)
    {
        var bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x40);
        }

        bits += 0x7FFF + ((bits >> 16) & 1);
        return (ushort)(bits >> 16);
    }

    /// <summary>Converts bfloat16 bits to a float.</summary>
    public static float FromBFloat16(ushort bits) => BitConverter.UInt32BitsToSingle((uint)bits << 16);

    private static string Names(IReadOnlyList<TensorSpec> specs) => string.Join(", ", specs.Select(s => $"'{s.Name}'"));
}
