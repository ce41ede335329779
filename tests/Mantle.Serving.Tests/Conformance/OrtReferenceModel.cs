using System.Text;
using Mantle.Serving.Engine;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Tests.Conformance;

/// <summary>
/// ONNX Runtime in-process, straight through its API: the reference the served outputs are compared
/// with. Also an <see cref="IServableModel"/> so that API tests can run before any other engine.
/// </summary>
internal sealed class OrtReferenceModel : IServableModel, IDisposable
{
    private readonly InferenceSession _session;

    public OrtReferenceModel(string name, byte[] model, long version = 1)
    {
        Name = name;
        Version = version;
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        _session = new InferenceSession(model, options);
        Signature = new ModelSignature(
            _session.InputNames.Select(n => Spec(n, _session.InputMetadata[n])).ToList(),
            _session.OutputNames.Select(n => Spec(n, _session.OutputMetadata[n])).ToList());
    }

    public string Name { get; }

    public long Version { get; }

    public ModelSignature Signature { get; }

    public string Platform => "onnxruntime_onnx";

    public IReadOnlyList<string> InputNames => _session.InputNames;

    public IReadOnlyList<string> OutputNames => _session.OutputNames;

    public ValueTask<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default)
    {
        try
        {
            return ValueTask.FromResult(InferenceResult.Success(Run(request.Inputs, request.OutputNames), null));
        }
        catch (OnnxRuntimeException ex)
        {
            return ValueTask.FromResult(InferenceResult.Failure(ServingErrorCode.InvalidArgument, ex.Message));
        }
    }

    /// <summary>Runs the model; the outputs are copied into managed memory.</summary>
    public IReadOnlyList<InferenceTensor> Run(IReadOnlyList<InferenceTensor> inputs, IReadOnlyList<string>? outputNames = null)
    {
        var names = new List<string>();
        var values = new List<OrtValue>();
        try
        {
            foreach (var tensor in inputs)
            {
                names.Add(tensor.Name);
                values.Add(ToOrtValue(tensor));
            }

            var outputs = outputNames is { Count: > 0 } ? outputNames : _session.OutputNames;
            using var runOptions = new RunOptions();
            using var results = _session.Run(runOptions, names, values, outputs);
            return results.Select((value, i) => FromOrtValue(outputs[i], value)).ToList();
        }
        finally
        {
            foreach (var value in values)
            {
                value.Dispose();
            }
        }
    }

    public void Dispose() => _session.Dispose();

    private static TensorSpec Spec(string name, NodeMetadata metadata) =>
        new(name, metadata.OnnxValueType == OnnxValueType.ONNX_TYPE_TENSOR ? metadata.ElementDataType : TensorElementType.DataTypeMax,
            metadata.OnnxValueType == OnnxValueType.ONNX_TYPE_TENSOR ? metadata.Dimensions.Select(d => (long)d).ToArray() : []);

    private static OrtValue ToOrtValue(InferenceTensor tensor)
    {
        var shape = tensor.Shape.ToArray();
        if (tensor.ElementType == TensorElementType.String)
        {
            var value = OrtValue.CreateTensorWithEmptyStrings(OrtAllocator.DefaultInstance, shape);
            for (var i = 0; i < tensor.Strings!.Count; i++)
            {
                value.StringTensorSetElementAt(tensor.Strings[i].Span, i);
            }

            return value;
        }

        if (tensor.ElementType == TensorElementType.BFloat16)
        {
            // An allocated BFLOAT16 tensor is typed uint16 by this ONNX Runtime version: go through the typed API.
            var elements = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, BFloat16>(tensor.Data.Span).ToArray();
            return OrtValue.CreateTensorValueFromMemory(elements, shape);
        }

        var allocated = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, tensor.ElementType, shape);
        tensor.Data.Span.CopyTo(allocated.GetTensorMutableRawData());
        return allocated;
    }

    private static InferenceTensor FromOrtValue(string name, OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        var shape = info.Shape;
        if (info.ElementDataType == TensorElementType.String)
        {
            var strings = value.GetStringTensorAsArray().Select(s => (ReadOnlyMemory<byte>)Encoding.UTF8.GetBytes(s)).ToArray();
            return InferenceTensor.FromStrings(name, shape, strings);
        }

        return InferenceTensor.FromBytes(name, info.ElementDataType, shape, value.GetTensorMutableRawData().ToArray());
    }
}
