using System.Buffers.Binary;
using System.Text;
using Mantle.Serving.KServe.Internal;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Tests.KServe.Internal;

public sealed class KServeCodecTests
{
    [Fact]
    public void Decode_BinaryInputs_AreViewsOfTheBody()
    {
        var json = """{"inputs": [{"name": "a", "shape": [2], "datatype": "INT32", "parameters": {"binary_data_size": 8}}, {"name": "b", "shape": [1], "datatype": "UINT8", "data": [9]}]}"""u8.ToArray();
        byte[] body = [.. json, 1, 0, 0, 0, 2, 0, 0, 0];

        var request = KServeRestRequest.Decode(body, json.Length);

        var a = request.Inputs[0];
        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(a.Data, out var segment));
        Assert.Same(body, segment.Array);
        Assert.Equal(json.Length, segment.Offset);
        Assert.Equal([9], request.Inputs[1].Data.ToArray());
    }

    [Fact]
    public void Decode_DataBeforeDatatype_IsDecodedWithTheLaterDatatype()
    {
        var body = """{"inputs": [{"data": [[1, 2], [3, 4]], "name": "x", "shape": [2, 2], "datatype": "INT16"}]}"""u8.ToArray();

        var x = KServeRestRequest.Decode(body, null).Inputs[0];

        Assert.Equal(TensorElementType.Int16, x.ElementType);
        Assert.Equal(new byte[] { 1, 0, 2, 0, 3, 0, 4, 0 }, x.Data.ToArray());
    }

    [Fact]
    public void Decode_UnknownParametersAndFields_AreIgnored()
    {
        var body = """{"id": "q", "extra": {"a": [1]}, "parameters": {"priority": 3}, "inputs": [{"name": "x", "shape": [1], "datatype": "FP32", "data": [1], "parameters": {"shared_memory_region": "r"}}]}"""u8.ToArray();

        var request = KServeRestRequest.Decode(body, null);

        Assert.Equal("q", request.Header.Id);
        Assert.Single(request.Inputs);
    }

    [Fact]
    public void WantsBinary_PerOutputOverridesRequestParameter()
    {
        var body = """{"inputs": [], "outputs": [{"name": "a", "parameters": {"binary_data": false}}, {"name": "b"}], "parameters": {"binary_data_output": true}}"""u8.ToArray();

        var request = KServeRestRequest.Decode(body, null);

        Assert.False(request.WantsBinary("a"));
        Assert.True(request.WantsBinary("b"));
        Assert.Equal(["a", "b"], request.OutputNames!);
    }

    [Fact]
    public void DecodeFixed_Float16AndBFloat16_ConvertFromJsonNumbers()
    {
        var half = KServeJsonDataDecoder.DecodeFixed("[1.5, -2]"u8, "x", TensorElementType.Float16, 2);
        var bf16 = KServeJsonDataDecoder.DecodeFixed("[1.5, -2]"u8, "x", TensorElementType.BFloat16, 2);

        Assert.Equal((Half)1.5, BinaryPrimitives.ReadHalfLittleEndian(half));
        Assert.Equal((Half)(-2), BinaryPrimitives.ReadHalfLittleEndian(half.AsSpan(2)));
        Assert.Equal(0x3FC0, BinaryPrimitives.ReadUInt16LittleEndian(bf16));
        Assert.Equal(0xC000, BinaryPrimitives.ReadUInt16LittleEndian(bf16.AsSpan(2)));
    }

    [Theory]
    [InlineData(1.0f, 0x3F80)]
    [InlineData(1.00390625f, 0x3F80)] // halfway, rounds to even
    [InlineData(1.01171875f, 0x3F82)] // halfway, rounds to even (up)
    [InlineData(-0.0f, 0x8000)]
    public void ToBFloat16_RoundsToNearestEven(float value, int bits)
    {
        Assert.Equal((ushort)bits, KServeTensorCodec.ToBFloat16(value));
        Assert.InRange(Math.Abs(value - KServeTensorCodec.FromBFloat16((ushort)bits)), 0, 0.008f);
    }

    [Fact]
    public void SplitBytesElements_LengthPrefixed_ReturnsViews()
    {
        byte[] raw = [2, 0, 0, 0, (byte)'h', (byte)'i', 0, 0, 0, 0];

        var elements = KServeTensorCodec.SplitBytesElements("x", raw, 2);

        Assert.Equal("hi", Encoding.UTF8.GetString(elements[0].Span));
        Assert.True(elements[1].IsEmpty);
    }

    [Theory]
    [InlineData(new byte[] { 2, 0, 0 }, 1, "ends before element 0")]
    [InlineData(new byte[] { 5, 0, 0, 0, 1 }, 1, "claims 5 bytes")]
    [InlineData(new byte[] { 0, 0, 0, 0, 7 }, 1, "1 bytes remain")]
    public void SplitBytesElements_Malformed_ThrowsNamingInput(byte[] raw, long count, string mention)
    {
        var ex = Assert.Throws<KServeRequestException>(() => KServeTensorCodec.SplitBytesElements("in0", raw, count));

        Assert.Contains("'in0'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(mention, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ElementCount_Overflow_Throws()
    {
        var ex = Assert.Throws<KServeRequestException>(() => KServeTensorCodec.ElementCount("x", [long.MaxValue, 4]));

        Assert.Contains("too many elements", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DataTypes_EveryProtocolName_RoundTrips()
    {
        foreach (var name in KServeDataTypes.AllNames.Split(", "))
        {
            Assert.True(KServeDataTypes.TryParse(name, out var type));
            Assert.Equal(name, KServeDataTypes.ToName(type));
        }

        Assert.False(KServeDataTypes.TryParse("FP8", out _));
        Assert.Null(KServeDataTypes.ToName(TensorElementType.Complex64));
    }
}
