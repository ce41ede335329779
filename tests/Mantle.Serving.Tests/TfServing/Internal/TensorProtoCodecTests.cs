using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Mantle.Serving.Engine;
using Mantle.Serving.TfServing.Internal;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensorflow;

namespace Mantle.Serving.Tests.TfServing.Internal;

public sealed class TensorProtoCodecTests
{
    private static TensorShapeProto Shape(params long[] dims)
    {
        var shape = new TensorShapeProto();
        shape.Dim.AddRange(dims.Select(d => new TensorShapeProto.Types.Dim { Size = d }));
        return shape;
    }

    [Fact]
    public void Decode_TensorContent_IsAViewOfTheRequestBytes()
    {
        var proto = new TensorProto { Dtype = DataType.DtFloat, TensorShape = Shape(2), TensorContent = ByteString.CopyFrom(new byte[8]) };

        var tensor = TensorProtoCodec.Decode("x", proto, out var error);

        Assert.Null(error);
        Assert.True(Unsafe.AreSame(ref MemoryMarshal.GetReference(tensor!.Data.Span), ref MemoryMarshal.GetReference(proto.TensorContent.Span)));
    }

    [Fact]
    public void Decode_NoShape_IsAScalar()
    {
        var proto = new TensorProto { Dtype = DataType.DtInt64 };
        proto.Int64Val.Add(42);

        var tensor = TensorProtoCodec.Decode("x", proto, out _);

        Assert.Empty(tensor!.Shape);
        Assert.Equal(42L, BinaryPrimitives.ReadInt64LittleEndian(tensor.Data.Span));
    }

    [Fact]
    public void Decode_ComplexPairs_SinglePairFillsTheShape()
    {
        var proto = new TensorProto { Dtype = DataType.DtComplex64, TensorShape = Shape(3) };
        proto.ScomplexVal.Add([1.5f, -2f]);

        var tensor = TensorProtoCodec.Decode("c", proto, out var error);

        Assert.Null(error);
        Assert.Equal(TensorElementType.Complex64, tensor!.ElementType);
        Assert.Equal(24, tensor.Data.Length);
        Assert.Equal(-2f, BinaryPrimitives.ReadSingleLittleEndian(tensor.Data.Span[20..]));
    }

    [Theory]
    [InlineData("unknown-rank", "unknown_rank")]
    [InlineData("string-content", "string_val")]
    [InlineData("half-count", "needs 4 values")]
    [InlineData("odd-complex", "(real, imaginary) pairs")]
    [InlineData("int8-range", "out of range for DT_INT8")]
    public void Decode_Invalid_ReportsWhatWasExpected(string kind, string expected)
    {
        var proto = kind switch
        {
            "unknown-rank" => new TensorProto { Dtype = DataType.DtFloat, TensorShape = new TensorShapeProto { UnknownRank = true } },
            "string-content" => new TensorProto { Dtype = DataType.DtString, TensorShape = Shape(1), TensorContent = ByteString.CopyFromUtf8("a") },
            "half-count" => new TensorProto { Dtype = DataType.DtHalf, TensorShape = Shape(4), HalfVal = { 1, 2 } },
            "odd-complex" => new TensorProto { Dtype = DataType.DtComplex128, TensorShape = Shape(1), DcomplexVal = { 1, 2, 3 } },
            _ => new TensorProto { Dtype = DataType.DtInt8, TensorShape = Shape(1), IntVal = { -129 } },
        };

        var tensor = TensorProtoCodec.Decode("x", proto, out var error);

        Assert.Null(tensor);
        Assert.Equal(ServingErrorCode.InvalidArgument, error!.Code);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("'x'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_NumericAndString_UseTensorContentAndStringVal()
    {
        var numeric = TensorProtoCodec.Encode(InferenceTensor.FromBytes("y", TensorElementType.UInt16, [1, 2], new byte[] { 1, 0, 2, 0 }));
        var text = TensorProtoCodec.Encode(InferenceTensor.FromStrings("s", [2], [new byte[] { 0x61 }, new byte[] { 0xFF }]));

        Assert.Equal(DataType.DtUint16, numeric.Dtype);
        Assert.Equal([1L, 2L], numeric.TensorShape.Dim.Select(d => d.Size));
        Assert.Equal(new byte[] { 1, 0, 2, 0 }, numeric.TensorContent.ToByteArray());
        Assert.Equal(DataType.DtString, text.Dtype);
        Assert.Equal(new byte[] { 0xFF }, text.StringVal[1].ToByteArray());
    }
}
