using System.Text;
using System.Text.Json;
using Mantle.Client.Tensors;

namespace Mantle.Client.Tests;

public class JsonTensorsTests
{
    [Fact]
    public void WriteNested_Matrix_NestsByShape()
    {
        var data = new byte[2 * 2 * 4];
        for (var i = 0; i < 4; i++)
        {
            TensorElements.Write(TensorDataType.Int32, data, i, i + 1);
        }

        Assert.Equal("[[1,2],[3,4]]", Write(new ClientTensor("m", TensorDataType.Int32, [2, 2], data)));
    }

    [Fact]
    public void WriteNested_NonFinite_WritesBareTokens()
    {
        var data = new byte[3 * 4];
        TensorElements.Write(TensorDataType.Float32, data, 0, double.NaN);
        TensorElements.Write(TensorDataType.Float32, data, 1, double.PositiveInfinity);
        TensorElements.Write(TensorDataType.Float32, data, 2, double.NegativeInfinity);

        Assert.Equal("[NaN,Infinity,-Infinity]", Write(new ClientTensor("f", TensorDataType.Float32, [3], data)));
    }

    [Fact]
    public void Read_QuotedNonFiniteDocument_RoundTrips()
    {
        var json = NonFiniteJson.Quote("{\"a\": [NaN, -Infinity, 1.5], \"s\": \"NaN inside a string\"}"u8.ToArray());
        using var document = JsonDocument.Parse(json);

        var tensor = JsonTensors.Read("a", TensorDataType.Float64, document.RootElement.GetProperty("a"));

        Assert.True(double.IsNaN(TensorElements.ReadDouble(TensorDataType.Float64, tensor.Data, 0)));
        Assert.Equal(double.NegativeInfinity, TensorElements.ReadDouble(TensorDataType.Float64, tensor.Data, 1));
        Assert.Equal(1.5, TensorElements.ReadDouble(TensorDataType.Float64, tensor.Data, 2));
        Assert.Equal("NaN inside a string", document.RootElement.GetProperty("s").GetString());
    }

    [Fact]
    public void Read_Base64Strings_DecodesBytes()
    {
        using var document = JsonDocument.Parse("[{\"b64\": \"AAEC\"}, \"text\"]");

        var tensor = JsonTensors.Read("s", TensorDataType.String, document.RootElement);

        Assert.Equal(new byte[] { 0, 1, 2 }, tensor.Strings![0]);
        Assert.Equal("text", Encoding.UTF8.GetString(tensor.Strings[1]));
    }

    [Fact]
    public void Read_RaggedArrays_AreRefused()
    {
        using var document = JsonDocument.Parse("[[1, 2], [3]]");

        var error = Assert.Throws<FormatException>(() => JsonTensors.Read("r", TensorDataType.Int64, document.RootElement));
        Assert.Contains("ragged", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_FlatWithShape_ChecksElementCount()
    {
        using var document = JsonDocument.Parse("[1, 2, 3]");

        Assert.Throws<FormatException>(() => JsonTensors.Read("x", TensorDataType.Float32, document.RootElement, [2, 2]));
        Assert.Equal([3L, 1L], JsonTensors.Read("x", TensorDataType.Float32, document.RootElement, [3, 1]).Shape);
    }

    [Fact]
    public void Read_IntegerOutOfRange_Throws()
    {
        using var document = JsonDocument.Parse("[300]");

        Assert.Throws<OverflowException>(() => JsonTensors.Read("x", TensorDataType.UInt8, document.RootElement));
    }

    private static string Write(ClientTensor tensor)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            JsonTensors.WriteNested(writer, tensor, base64Strings: true);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }
}
