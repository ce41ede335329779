using System.Text;
using Mantle.Client.Inference;
using Mantle.Client.KServe;
using Mantle.Client.Tensors;

namespace Mantle.Client.Tests;

public class KServeBinaryTests
{
    [Fact]
    public void WriteThenRead_BytesTensor_KeepsEveryElementAndItsLengthPrefix()
    {
        var tensor = new ClientTensor("s", [3], [Encoding.UTF8.GetBytes("ab"), [], [0xff, 0x00, 0xfe]]);
        var raw = new byte[KServeBinary.Size(tensor)];

        var written = KServeBinary.Write(tensor, raw);
        var read = KServeBinary.Read("s", TensorDataType.String, [3], raw);

        Assert.Equal(4 + 2 + 4 + 0 + 4 + 3, written);
        Assert.Equal([2, 0, 0, 0, (byte)'a', (byte)'b'], raw[..6]);
        Assert.Equal(tensor.Strings, read.Strings);
    }

    [Fact]
    public void Read_LengthPastTheEnd_IsRefusedWithTheOutputName()
    {
        byte[] raw = [10, 0, 0, 0, 1, 2];

        var error = Assert.Throws<InferenceClientException>(() => KServeBinary.Read("names", TensorDataType.String, [1], raw));

        Assert.Contains("'names'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteThenRead_NumericTensor_IsTheRawBytes()
    {
        var tensor = new ClientTensor("x", TensorDataType.Int16, [2], [1, 0, 0xff, 0xff]);
        var raw = new byte[KServeBinary.Size(tensor)];

        KServeBinary.Write(tensor, raw);

        Assert.Equal(tensor.Data, raw);
        Assert.Equal(-1, TensorElements.ReadInt64(TensorDataType.Int16, KServeBinary.Read("x", TensorDataType.Int16, [2], raw).Data, 1));
    }
}
