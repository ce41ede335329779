using System.Text;
using System.Text.Json;
using Mantle.Serving.Engine;
using Mantle.Serving.TfServing.Internal.Rest;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Tests.TfServing.Internal;

public sealed class JsonPredictResponseTests
{
    private static InferenceTensor Floats(string name, long[] shape, params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        return InferenceTensor.FromBytes(name, TensorElementType.Float, shape, bytes);
    }

    private static string Write(IReadOnlyList<InferenceTensor> outputs, bool row)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            JsonPredictResponse.Write(writer, outputs, row);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    [Fact]
    public void CheckRowFormat_DifferentBatchSizes_RefusesNamingTheOutput()
    {
        var error = JsonPredictResponse.CheckRowFormat([Floats("a", [2], 1, 2), Floats("b", [3], 1, 2, 3)]);

        Assert.NotNull(error);
        Assert.Contains("Tensor name: b has inconsistent batch size: 3 expecting: 2", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckRowFormat_ScalarOutput_RefusesAndSuggestsColumnar()
    {
        var error = JsonPredictResponse.CheckRowFormat([Floats("s", [], 1)]);

        Assert.NotNull(error);
        Assert.Contains("columnar", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_RowFormatTwoOutputs_SplitsAlongDimZero()
    {
        var json = Write([Floats("a", [2, 1], 1, 2), Floats("b", [2], 3.5f, float.NegativeInfinity)], row: true);

        Assert.Equal("""{"predictions":[{"a":[1.0],"b":3.5},{"a":[2.0],"b":-Infinity}]}""", json);
    }

    [Fact]
    public void Write_Columnar_Scalar_IsBareValue()
    {
        Assert.Equal("""{"outputs":1E+20}""", Write([Floats("s", [], 1e20f)], row: false));
    }
}
