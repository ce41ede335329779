using Mantle.Serving.Engine;

namespace Mantle.Serving.Tests.Conformance;

/// <summary>A case ONNX Runtime runs in-process: its data sets, expected outputs and ONNX Runtime's own outputs.</summary>
internal sealed record PreparedCase(OnnxTestCase Case, byte[] Model, IReadOnlyList<PreparedDataSet> DataSets, bool OrtMatchesExpected);

/// <summary>One data set of a prepared case.</summary>
internal sealed record PreparedDataSet(
    string Name,
    IReadOnlyList<InferenceTensor> Inputs,
    IReadOnlyList<InferenceTensor> Expected,
    IReadOnlyList<InferenceTensor> OrtOutputs);
