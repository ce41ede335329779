using Mantle.Serving.Engine;
using Microsoft.ML.OnnxRuntime;
using Onnx;

namespace Mantle.Serving.Tests.Conformance;

/// <summary>Classifies a case and, when the protocols can carry it, runs it on ONNX Runtime in-process.</summary>
internal static class CasePreparer
{
    /// <summary>How many times each data set is sent to the server (KServe REST, TF Serving gRPC, KServe gRPC).</summary>
    public const int ServedRuns = 3;

    /// <summary>Returns the prepared case, or the reason it is skipped.</summary>
    public static (PreparedCase? Case, string? SkipReason, string? Detail) Prepare(OnnxTestCase testCase)
    {
        var bytes = File.ReadAllBytes(testCase.ModelPath);
        var model = ModelProto.Parser.ParseFrom(bytes);
        if (OnnxTestCase.ProtocolSkipReason(model) is { } reason)
        {
            return (null, reason, null);
        }

        OrtReferenceModel reference;
        try
        {
            reference = new OrtReferenceModel(testCase.ModelName, bytes);
        }
        catch (OnnxRuntimeException ex)
        {
            return (null, ConformanceSkip.OnnxRuntime, Brief(ex));
        }

        using (reference)
        {
            var dataSets = new List<PreparedDataSet>();
            var ortMatches = true;
            foreach (var directory in testCase.DataSets)
            {
                var inputs = ReadTensors(directory, "input", reference.Signature.Inputs);
                var expected = ReadTensors(directory, "output", reference.Signature.Outputs);
                if (inputs.Count != reference.InputNames.Count || expected.Count != reference.OutputNames.Count)
                {
                    // The data leaves out optional inputs or outputs the session declares.
                    return (null, ConformanceSkip.OnnxRuntime,
                        $"session has {reference.InputNames.Count} inputs and {reference.OutputNames.Count} outputs, data {inputs.Count} and {expected.Count}");
                }

                IReadOnlyList<InferenceTensor> ort;
                try
                {
                    ort = reference.Run(inputs);
                }
                catch (OnnxRuntimeException ex)
                {
                    return (null, ConformanceSkip.OnnxRuntime, Brief(ex));
                }

                // Random operators (Bernoulli, training-mode Dropout…) may repeat a draw or two before
                // they differ: the served path runs each data set three times, so check as many runs here.
                for (var run = 0; run < ServedRuns; run++)
                {
                    if (!Matches(ort, reference.Run(inputs)))
                    {
                        return (null, ConformanceSkip.Random, null);
                    }
                }

                ortMatches &= Matches(expected, ort);
                dataSets.Add(new PreparedDataSet(Path.GetFileName(directory), inputs, expected, ort));
            }

            return (new PreparedCase(testCase, bytes, dataSets, ortMatches), null, null);
        }
    }

    public static bool Matches(IReadOnlyList<InferenceTensor> expected, IReadOnlyList<InferenceTensor> actual) =>
        FirstDifference(expected, actual) is null;

    public static string? FirstDifference(IReadOnlyList<InferenceTensor> expected, IReadOnlyList<InferenceTensor> actual)
    {
        if (expected.Count != actual.Count)
        {
            return $"{actual.Count} outputs, expected {expected.Count}";
        }

        for (var i = 0; i < expected.Count; i++)
        {
            if (TensorComparer.Difference(expected[i], actual[i]) is { } difference)
            {
                return difference;
            }
        }

        return null;
    }

    // Older test data stores bfloat16 values as their uint16 bit patterns (numpy has no bfloat16).
    private static InferenceTensor Retag(InferenceTensor tensor, Microsoft.ML.OnnxRuntime.Tensors.TensorElementType declared) =>
        tensor.ElementType == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.UInt16 && declared == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.BFloat16
            ? InferenceTensor.FromBytes(tensor.Name, declared, tensor.Shape.ToArray(), tensor.Data)
            : tensor;

    private static string Brief(Exception ex)
    {
        var message = ex.Message.ReplaceLineEndings(" ");
        return message.Length <= 140 ? message : message[..140] + "…";
    }

    private static List<InferenceTensor> ReadTensors(string directory, string prefix, IReadOnlyList<TensorSpec> specs)
    {
        var tensors = new List<InferenceTensor>();
        for (var i = 0; ; i++)
        {
            var path = Path.Combine(directory, $"{prefix}_{i}.pb");
            if (!File.Exists(path))
            {
                return tensors;
            }

            // Test data is positional: the i-th file belongs to the i-th declared input or output.
            var tensor = OnnxTensorReader.Read(path, i < specs.Count ? specs[i].Name : $"{prefix}_{i}");
            tensors.Add(i < specs.Count ? Retag(tensor, specs[i].ElementType) : tensor);
        }
    }
}
