using System.Runtime.InteropServices;
using Mantle.Client.Inference;
using Mantle.Client.Tensors;
using Mantle.Serving.Onnx;
using Mantle.Serving.Repository;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Cli.Commands.Client;

/// <summary>
/// ONNX Runtime in this process, without any server: the baseline that <c>mantle bench --in-process</c>
/// measures the served throughput against. It loads the latest version of a TF Serving layout
/// (<c>base_path/&lt;version&gt;/model.onnx</c>).
/// </summary>
internal sealed class InProcessModel : IDisposable
{
    private readonly InferenceSession _session;
    private readonly RunOptions _runOptions = new();
    private readonly List<OrtValue> _preparedInputs = [];

    private InProcessModel(InferenceSession session, ModelDescription description)
    {
        _session = session;
        Description = description;
    }

    public ModelDescription Description { get; }

    public static InProcessModel Load(string basePath, string name, int intraOpThreads)
    {
        var latest = OnnxFileSource.FindLatest(basePath)
            ?? throw new ArgumentException($"--model_base_path '{basePath}' has no <version>/model.onnx folder.");

        // The server's session settings, so that the baseline differs from serving by the serving path alone.
        using var options = new OnnxModelOptions { IntraOpThreads = intraOpThreads }.CreateSessionOptions();
        var session = new InferenceSession(File.ReadAllBytes(latest.Path), options);
        var description = new ModelDescription(
            name,
            latest.Version.ToString(System.Globalization.CultureInfo.InvariantCulture),
            Describe(session.InputMetadata),
            Describe(session.OutputMetadata));
        return new InProcessModel(session, description);
    }

    /// <summary>Creates the ONNX Runtime inputs once and returns a function that runs the model on them.</summary>
    public Func<CancellationToken, Task> Prepare(IReadOnlyList<ClientTensor> inputs)
    {
        var names = inputs.Select(i => i.Name).ToArray();
        var values = inputs.Select(ToOrtValue).ToArray();
        _preparedInputs.AddRange(values);
        var outputNames = _session.OutputNames.ToArray();
        return _ =>
        {
            using var outputs = _session.Run(_runOptions, names, values, outputNames);
            return Task.CompletedTask;
        };
    }

    public void Dispose()
    {
        foreach (var value in _preparedInputs)
        {
            value.Dispose();
        }

        _runOptions.Dispose();
        _session.Dispose();
    }

    private static List<TensorDescription> Describe(IReadOnlyDictionary<string, NodeMetadata> metadata)
    {
        var result = new List<TensorDescription>();
        foreach (var (name, node) in metadata)
        {
            if (!node.IsTensor || ToDataType(node.ElementDataType) is not { } type)
            {
                throw new ArgumentException($"Model input or output '{name}' is not a tensor of a type the protocols carry.");
            }

            result.Add(new TensorDescription(name, type, node.Dimensions.Select(d => (long)d).ToArray()));
        }

        return result;
    }

    private static OrtValue ToOrtValue(ClientTensor tensor)
    {
        if (tensor.DataType == TensorDataType.String)
        {
            var strings = tensor.Strings!.Select(s => System.Text.Encoding.UTF8.GetString(s)).ToArray();
            return OrtValue.CreateFromStringTensor(new DenseTensor<string>(strings, tensor.Shape.Select(d => (int)d).ToArray()));
        }

        var value = OrtValue.CreateAllocatedTensorValue(OrtAllocator.DefaultInstance, ToElementType(tensor.DataType), tensor.Shape);
        tensor.Data.CopyTo(MemoryMarshal.AsBytes(value.GetTensorMutableDataAsSpan<byte>()));
        return value;
    }

    internal static TensorDataType? ToDataType(TensorElementType type) => type switch
    {
        TensorElementType.Bool => TensorDataType.Bool,
        TensorElementType.UInt8 => TensorDataType.UInt8,
        TensorElementType.UInt16 => TensorDataType.UInt16,
        TensorElementType.UInt32 => TensorDataType.UInt32,
        TensorElementType.UInt64 => TensorDataType.UInt64,
        TensorElementType.Int8 => TensorDataType.Int8,
        TensorElementType.Int16 => TensorDataType.Int16,
        TensorElementType.Int32 => TensorDataType.Int32,
        TensorElementType.Int64 => TensorDataType.Int64,
        TensorElementType.Float16 => TensorDataType.Float16,
        TensorElementType.BFloat16 => TensorDataType.BFloat16,
        TensorElementType.Float => TensorDataType.Float32,
        TensorElementType.Double => TensorDataType.Float64,
        TensorElementType.String => TensorDataType.String,
        _ => null,
    };

    private static TensorElementType ToElementType(TensorDataType type) => type switch
    {
        TensorDataType.Bool => TensorElementType.Bool,
        TensorDataType.UInt8 => TensorElementType.UInt8,
        TensorDataType.UInt16 => TensorElementType.UInt16,
        TensorDataType.UInt32 => TensorElementType.UInt32,
        TensorDataType.UInt64 => TensorElementType.UInt64,
        TensorDataType.Int8 => TensorElementType.Int8,
        TensorDataType.Int16 => TensorElementType.Int16,
        TensorDataType.Int32 => TensorElementType.Int32,
        TensorDataType.Int64 => TensorElementType.Int64,
        TensorDataType.Float16 => TensorElementType.Float16,
        TensorDataType.BFloat16 => TensorElementType.BFloat16,
        TensorDataType.Float32 => TensorElementType.Float,
        TensorDataType.Float64 => TensorElementType.Double,
        _ => TensorElementType.String,
    };
}
