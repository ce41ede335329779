using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Tests.Models;

/// <summary>Small ONNX models built in memory, the ResNet-18 from NuGet, and repository folders on disk.</summary>
public static class TestModels
{
    /// <summary>y = x for any tensor type; dims default to a dynamic batch of 2-wide rows.</summary>
    public static byte[] Identity(TensorElementType type, params long[] dims) => new OnnxModelBuilder()
        .Input("x", type, dims.Length == 0 ? [-1, 2] : dims)
        .Output("y", type, dims.Length == 0 ? [-1, 2] : dims)
        .Node("Identity", ["x"], ["y"])
        .Build();

    /// <summary>sum = a + b, float [N, 4].</summary>
    public static byte[] Add() => new OnnxModelBuilder()
        .Input("a", TensorElementType.Float, -1, 4)
        .Input("b", TensorElementType.Float, -1, 4)
        .Output("sum", TensorElementType.Float, -1, 4)
        .Node("Add", ["a", "b"], ["sum"])
        .Build();

    /// <summary>
    /// y = x · W + B, float x [N, 3], W = [[1,2],[3,4],[5,6]], B = <paramref name="bias"/> (default [10, 20]); plus a second
    /// output z = x (identity). Another bias gives a model with the same signature and other answers.
    /// </summary>
    public static byte[] MatMulAdd(float[]? bias = null) => new OnnxModelBuilder()
        .Input("x", TensorElementType.Float, -1, 3)
        .Output("y", TensorElementType.Float, -1, 2)
        .Output("z", TensorElementType.Float, -1, 3)
        .FloatInitializer("W", [3, 2], [1, 2, 3, 4, 5, 6])
        .FloatInitializer("B", [2], bias ?? [10, 20])
        .Node("MatMul", ["x", "W"], ["xw"])
        .Node("Add", ["xw", "B"], ["y"])
        .Node("Identity", ["x"], ["z"])
        .Build();

    /// <summary>The expected output of <see cref="MatMulAdd"/> for one row.</summary>
    public static float[] MatMulAddRow(float a, float b, float c) => [a + (3 * b) + (5 * c) + 10, (2 * a) + (4 * b) + (6 * c) + 20];

    /// <summary>A tiny model for per-request overhead: y = x, float [1].</summary>
    public static byte[] Tiny() => Identity(TensorElementType.Float, 1);

    /// <summary>The ResNet-18 ONNX model shipped in NuGet Microsoft.ML.DnnImageFeaturizer.ResNet18 (input float [N,3,224,224]).</summary>
    public static string ResNet18Path => Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx");

    /// <summary>Writes <c>root/version/model.onnx</c> and returns the version folder.</summary>
    public static string WriteVersion(string basePath, long version, byte[] model)
    {
        var folder = Path.Combine(basePath, version.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), model);
        return folder;
    }
}
