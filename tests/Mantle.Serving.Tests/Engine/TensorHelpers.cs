using System.Runtime.InteropServices;
using Mantle.Serving.Engine;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Tests.Engine;

internal static class TensorHelpers
{
    public static InferenceTensor Floats(string name, long[] shape, params float[] values) =>
        InferenceTensor.FromBytes(name, TensorElementType.Float, shape, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());

    public static float[] ToFloats(InferenceTensor tensor) => MemoryMarshal.Cast<byte, float>(tensor.Data.Span).ToArray();
}
