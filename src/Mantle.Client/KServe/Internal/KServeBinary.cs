using System.Buffers.Binary;
using Mantle.Client.Inference;
using Mantle.Client.Tensors;

namespace Mantle.Client.KServe;

/// <summary>
/// The raw tensor layout that KServe v2 uses in both the REST binary extension and gRPC
/// <c>raw_*_contents</c>: elements as little-endian bytes, and BYTES elements as a 4-byte little-endian
/// length followed by the bytes.
/// </summary>
internal static class KServeBinary
{
    public static int Size(ClientTensor tensor) =>
        tensor.DataType == TensorDataType.String ? tensor.Strings!.Sum(s => 4 + s.Length) : tensor.Data.Length;

    /// <summary>Writes the tensor's raw bytes; returns how many were written (<see cref="Size"/>).</summary>
    public static int Write(ClientTensor tensor, Span<byte> destination)
    {
        if (tensor.DataType != TensorDataType.String)
        {
            tensor.Data.CopyTo(destination);
            return tensor.Data.Length;
        }

        var offset = 0;
        foreach (var item in tensor.Strings!)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(destination[offset..], (uint)item.Length);
            item.CopyTo(destination[(offset + 4)..]);
            offset += 4 + item.Length;
        }

        return offset;
    }

    /// <summary>Reads a tensor from its raw bytes.</summary>
    /// <exception cref="InferenceClientException">A BYTES element's length runs past the end of the data.</exception>
    public static ClientTensor Read(string name, TensorDataType type, long[] shape, ReadOnlySpan<byte> raw)
    {
        if (type != TensorDataType.String)
        {
            return new ClientTensor(name, type, shape, raw.ToArray());
        }

        var strings = new List<byte[]>();
        while (raw.Length >= 4)
        {
            var length = BinaryPrimitives.ReadUInt32LittleEndian(raw);
            if (length > raw.Length - 4)
            {
                throw new InferenceClientException("OK", $"output '{name}': a BYTES element of {length} bytes runs past the end of the {raw.Length} bytes left");
            }

            strings.Add(raw.Slice(4, (int)length).ToArray());
            raw = raw[(4 + (int)length)..];
        }

        return new ClientTensor(name, shape, strings);
    }
}
