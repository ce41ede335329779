using System.Buffers.Binary;
using Mantle.Serving.Engine;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Tests.Conformance;

public sealed class TensorComparerTests
{
    [Theory]
    [InlineData(100f, 100.09f, true)]
    [InlineData(100f, 100.2f, false)]
    [InlineData(0f, 1e-8f, true)]
    [InlineData(0f, 1e-6f, false)]
    [InlineData(float.NaN, float.NaN, true)]
    [InlineData(float.NaN, 0f, false)]
    [InlineData(float.PositiveInfinity, float.PositiveInfinity, true)]
    [InlineData(float.PositiveInfinity, float.NegativeInfinity, false)]
    public void Difference_Floats_UsesOnnxTolerances(float expected, float actual, bool equal)
    {
        var difference = TensorComparer.Difference(Float(expected), Float(actual));

        Assert.Equal(equal, difference is null);
    }

    [Fact]
    public void Difference_Integers_AreExact()
    {
        var a = InferenceTensor.FromBytes("t", TensorElementType.Int64, [1], BitConverter.GetBytes(1_000_000L));
        var b = InferenceTensor.FromBytes("t", TensorElementType.Int64, [1], BitConverter.GetBytes(1_000_001L));

        Assert.NotNull(TensorComparer.Difference(a, b));
        Assert.Null(TensorComparer.Difference(a, a));
    }

    [Fact]
    public void Difference_ShapeOrTypeOrStrings_Differ()
    {
        var x = Float(1);
        Assert.NotNull(TensorComparer.Difference(x, InferenceTensor.FromBytes("t", TensorElementType.Float, [1, 1], x.Data)));
        Assert.NotNull(TensorComparer.Difference(x, InferenceTensor.FromBytes("t", TensorElementType.Int32, [1], x.Data)));
        var s1 = InferenceTensor.FromStrings("s", [1], ["a"u8.ToArray()]);
        var s2 = InferenceTensor.FromStrings("s", [1], ["b"u8.ToArray()]);
        Assert.NotNull(TensorComparer.Difference(s1, s2));
        Assert.Null(TensorComparer.Difference(s1, s1));
    }

    private static InferenceTensor Float(float value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
        return InferenceTensor.FromBytes("t", TensorElementType.Float, [1], bytes);
    }
}
