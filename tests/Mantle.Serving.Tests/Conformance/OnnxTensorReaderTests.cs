using Google.Protobuf;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace Mantle.Serving.Tests.Conformance;

public sealed class OnnxTensorReaderTests
{
    [Fact]
    public void ToTensor_TypedFields_ConvertToLittleEndianBytes()
    {
        var proto = new TensorProto { DataType = (int)TensorProto.Types.DataType.Int16, Dims = { 2 }, Int32Data = { -1, 2 } };

        var tensor = OnnxTensorReader.ToTensor(proto, "x");

        Assert.Equal(TensorElementType.Int16, tensor.ElementType);
        Assert.Equal(new byte[] { 0xFF, 0xFF, 2, 0 }, tensor.Data.ToArray());
    }

    [Fact]
    public void ToTensor_RawData_IsUsedAsIs()
    {
        var proto = new TensorProto { DataType = (int)TensorProto.Types.DataType.Float, Dims = { 1 }, RawData = ByteString.CopyFrom(1, 2, 3, 4) };

        Assert.Equal(new byte[] { 1, 2, 3, 4 }, OnnxTensorReader.ToTensor(proto, "x").Data.ToArray());
    }

    [Fact]
    public void ProtocolSkipReason_SequenceAndComplex_AreNamed()
    {
        var sequence = Model(new TypeProto { SequenceType = new TypeProto.Types.Sequence { ElemType = Tensor(1) } });
        var complex = Model(Tensor((int)TensorProto.Types.DataType.Complex64));
        var fine = Model(Tensor((int)TensorProto.Types.DataType.Float));

        Assert.Equal(ConformanceSkip.NonTensor, OnnxTestCase.ProtocolSkipReason(sequence));
        Assert.Equal("dtype COMPLEX64 not in protocol", OnnxTestCase.ProtocolSkipReason(complex));
        Assert.Null(OnnxTestCase.ProtocolSkipReason(fine));
    }

    private static TypeProto Tensor(int type) => new() { TensorType = new TypeProto.Types.Tensor { ElemType = type } };

    private static ModelProto Model(TypeProto input) => new()
    {
        Graph = new GraphProto { Input = { new ValueInfoProto { Name = "x", Type = input } } },
    };
}
