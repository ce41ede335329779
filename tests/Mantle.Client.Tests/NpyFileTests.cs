using Mantle.Client.Tensors;

namespace Mantle.Client.Tests;

public class NpyFileTests
{
    [Fact]
    public void WriteThenRead_Float32Matrix_RoundTrips()
    {
        var data = new byte[2 * 3 * 4];
        for (var i = 0; i < 6; i++)
        {
            TensorElements.Write(TensorDataType.Float32, data, i, i * 1.5);
        }

        var tensor = new ClientTensor("x", TensorDataType.Float32, [2, 3], data);
        var npy = NpyFile.Write(tensor);

        Assert.Equal(0, (npy.Length - data.Length) % 64);
        var read = NpyFile.Read("x", npy);
        Assert.Equal(TensorDataType.Float32, read.DataType);
        Assert.Equal([2L, 3L], read.Shape);
        Assert.Equal(data, read.Data);
    }

    [Fact]
    public void Read_NumpyWrittenHeader_ParsesShapeAndType()
    {
        // The header exactly as numpy.save writes it for np.arange(4, dtype=np.int64).
        var header = "{'descr': '<i8', 'fortran_order': False, 'shape': (4,), }";
        header += new string(' ', 128 - 10 - header.Length - 1) + "\n";
        var npy = new List<byte> { 0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0 };
        npy.AddRange(System.Text.Encoding.Latin1.GetBytes(header));
        for (long i = 0; i < 4; i++)
        {
            npy.AddRange(BitConverter.GetBytes(i));
        }

        var tensor = NpyFile.Read("v", npy.ToArray());

        Assert.Equal(TensorDataType.Int64, tensor.DataType);
        Assert.Equal([4L], tensor.Shape);
        Assert.Equal(3, TensorElements.ReadInt64(TensorDataType.Int64, tensor.Data, 3));
    }

    [Fact]
    public void Read_FortranOrder_IsRefusedWithFix()
    {
        var tensor = new ClientTensor("x", TensorDataType.UInt8, [2], [1, 2]);
        var npy = NpyFile.Write(tensor);
        var text = System.Text.Encoding.Latin1.GetString(npy).Replace("'fortran_order': False", "'fortran_order': True ", StringComparison.Ordinal);

        var error = Assert.Throws<FormatException>(() => NpyFile.Read("x", System.Text.Encoding.Latin1.GetBytes(text)));
        Assert.Contains("ascontiguousarray", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TruncatedData_NamesByteCounts()
    {
        var npy = NpyFile.Write(new ClientTensor("x", TensorDataType.Float64, [3], new byte[24]));

        var error = Assert.Throws<FormatException>(() => NpyFile.Read("x", npy.AsSpan(0, npy.Length - 1)));
        Assert.Contains("needs 24", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NotNpy_IsRefused()
    {
        Assert.Throws<FormatException>(() => NpyFile.Read("x", "PK\x03\x04 not numpy"u8));
    }
}
