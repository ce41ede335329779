namespace Mantle.Serving.Tests.Conformance;

/// <summary>The reasons a conformance case is skipped, worded for the report.</summary>
internal static class ConformanceSkip
{
    public const string OnnxRuntime = "onnxruntime cannot run it";
    public const string NonTensor = "protocol cannot carry sequence/map/optional";
    public const string Sparse = "protocol cannot carry sparse tensors";
    public const string Random = "output is random (repeated onnxruntime runs differ)";

    public static string DataType(string name) => $"dtype {name} not in protocol";
}
