using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;
using Mantle.Serving.Engine;
using Mantle.Serving.TfServing.Internal.Rest;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Tests.TfServing.Internal;

public sealed class JsonPredictRequestTests
{
    private static ModelSignature Signature(params (string Name, TensorElementType Type)[] inputs) =>
        new([.. inputs.Select(i => new TensorSpec(i.Name, i.Type, [-1, -1]))], []);

    private static JsonPredictRequest Parse(string json, ModelSignature signature, out byte[] body)
    {
        body = Encoding.UTF8.GetBytes(json);
        return JsonPredictRequest.Parse(body, body.Length, signature);
    }

    [Fact]
    public void Parse_RowFormat_StacksInstancesAlongDimZero()
    {
        using var request = Parse("""{"instances": [[1, 2], [3, 4], [5, 6]]}""", Signature(("x", TensorElementType.Float)), out _);

        Assert.Null(request.Error);
        Assert.True(request.RowFormat);
        var x = Assert.Single(request.Inputs);
        Assert.Equal([3L, 2L], x.Shape);
        Assert.Equal(5f, BinaryPrimitives.ReadSingleLittleEndian(x.Data.Span[16..]));
    }

    [Fact]
    public void Parse_EmptyNestedLists_GiveZeroSizedDimension()
    {
        using var request = Parse("""{"inputs": [[], []]}""", Signature(("x", TensorElementType.Int64)), out _);

        Assert.Null(request.Error);
        Assert.Equal([2L, 0L], request.Inputs[0].Shape);
        Assert.True(request.Inputs[0].Data.IsEmpty);
    }

    [Fact]
    public void Parse_UnescapedStrings_PointIntoTheBody()
    {
        using var request = Parse("""{"inputs": ["abc", "d\"e"]}""", Signature(("s", TensorElementType.String)), out var body);

        Assert.Null(request.Error);
        var strings = request.Inputs[0].Strings!;
        Assert.True(MemoryMarshal.TryGetArray(strings[0], out var segment));
        Assert.Same(body, segment.Array);
        Assert.Equal("d\"e", Encoding.UTF8.GetString(strings[1].Span));
    }

    [Fact]
    public void Parse_HalfAndBFloat16_ConvertFromJsonNumbers()
    {
        using var half = Parse("""{"inputs": [1.5, -2]}""", Signature(("h", TensorElementType.Float16)), out _);
        using var bf16 = Parse("""{"inputs": [1.5, -2]}""", Signature(("b", TensorElementType.BFloat16)), out _);

        Assert.Equal((ushort)0x3E00, BinaryPrimitives.ReadUInt16LittleEndian(half.Inputs[0].Data.Span));
        Assert.Equal((ushort)0xC000, BinaryPrimitives.ReadUInt16LittleEndian(half.Inputs[0].Data.Span[2..]));
        Assert.Equal((ushort)0x3FC0, BinaryPrimitives.ReadUInt16LittleEndian(bf16.Inputs[0].Data.Span));
        Assert.Equal((ushort)0xC000, BinaryPrimitives.ReadUInt16LittleEndian(bf16.Inputs[0].Data.Span[2..]));
    }

    [Fact]
    public void Parse_ManyValues_GrowsThePooledBuffer()
    {
        var values = string.Join(",", Enumerable.Range(0, 10_000));
        using var request = Parse($$"""{"inputs": [{{values}}]}""", Signature(("x", TensorElementType.Int32)), out _);

        Assert.Null(request.Error);
        Assert.Equal(40_000, request.Inputs[0].Data.Length);
        Assert.Equal(9_999, BinaryPrimitives.ReadInt32LittleEndian(request.Inputs[0].Data.Span[39_996..]));
    }

    [Theory]
    [InlineData("""{"inputs": [1, 2]} x""", "JSON Parse error")]
    [InlineData("", "JSON Parse error")]
    [InlineData("""{"inputs": [[1], 2]}""", "nested lists must be dense")]
    [InlineData("""{"inputs": [1, [2]]}""", "nested lists must be dense")]
    [InlineData("""{"inputs": [[], [2]]}""", "nested lists must be dense")]
    [InlineData("""{"inputs": [null]}""", "null")]
    [InlineData("""{"inputs": {"x": [1], "x": [2]}}""", "more than once")]
    [InlineData("""{"signature_name": 3, "inputs": [1]}""", "'signature_name' key must be a string value")]
    public void Parse_Malformed_ReportsInvalidArgument(string json, string expected)
    {
        using var request = Parse(json, Signature(("x", TensorElementType.Float)), out _);

        Assert.NotNull(request.Error);
        Assert.Equal(ServingErrorCode.InvalidArgument, request.Error.Code);
        Assert.Contains(expected, request.Error.Message, StringComparison.Ordinal);
    }
}
