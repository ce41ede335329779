using System.Buffers.Binary;

namespace Mantle.Client.Tensors;

/// <summary>Makes tensors of random data for a model input, as load generators and smoke tests need.</summary>
internal static class RandomTensors
{
    /// <summary>
    /// Creates a tensor for an input of the given declared shape: the first dynamic dimension (-1)
    /// becomes <paramref name="batch"/>, any other dynamic dimension becomes 1. Floats are uniform in
    /// [0, 1), integers in [0, 10), bools random, strings short ASCII words.
    /// </summary>
    public static ClientTensor Create(string name, TensorDataType dataType, IReadOnlyList<long> declaredShape, int batch, Random random)
    {
        ArgumentNullException.ThrowIfNull(declaredShape);
        ArgumentNullException.ThrowIfNull(random);
        var shape = new long[declaredShape.Count];
        var batchUsed = false;
        for (var i = 0; i < shape.Length; i++)
        {
            if (declaredShape[i] >= 0)
            {
                shape[i] = declaredShape[i];
            }
            else
            {
                shape[i] = batchUsed ? 1 : batch;
                batchUsed = true;
            }
        }

        var count = checked((int)ClientTensor.ElementCountOf(shape));
        if (dataType == TensorDataType.String)
        {
            var strings = new byte[count][];
            for (var i = 0; i < count; i++)
            {
                strings[i] = "mantle"u8.ToArray().AsSpan(0, 1 + random.Next(6)).ToArray();
            }

            return new ClientTensor(name, shape, strings);
        }

        var size = TensorDataTypes.SizeOf(dataType);
        var data = new byte[count * size];
        var span = data.AsSpan();
        for (var i = 0; i < count; i++)
        {
            var slot = span.Slice(i * size, size);
            switch (dataType)
            {
                case TensorDataType.Float32:
                    BinaryPrimitives.WriteSingleLittleEndian(slot, random.NextSingle());
                    break;
                case TensorDataType.Float64:
                    BinaryPrimitives.WriteDoubleLittleEndian(slot, random.NextDouble());
                    break;
                case TensorDataType.Float16:
                    BinaryPrimitives.WriteHalfLittleEndian(slot, (Half)random.NextSingle());
                    break;
                case TensorDataType.BFloat16:
                    BinaryPrimitives.WriteUInt16LittleEndian(slot, (ushort)(BitConverter.SingleToUInt32Bits(random.NextSingle()) >> 16));
                    break;
                case TensorDataType.Bool:
                    slot[0] = (byte)random.Next(2);
                    break;
                default:
                    slot.Clear();
                    slot[0] = (byte)random.Next(10);
                    break;
            }
        }

        return new ClientTensor(name, dataType, shape, data);
    }
}
