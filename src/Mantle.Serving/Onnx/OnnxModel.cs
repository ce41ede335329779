using System.Buffers;
using System.Diagnostics;
using Mantle.Serving.Engine;
using Mantle.Serving.Metrics;
using Mantle.Serving.Onnx.Internal;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Onnx;

/// <summary>
/// One version of an ONNX model served by ONNX Runtime. The session is created from the model bytes
/// in memory (never from a path), so decrypted models never touch disk. Inputs are passed to ONNX
/// Runtime over the request memory without copying; outputs are views of ONNX Runtime's output
/// buffers owned by the returned <see cref="InferenceResult"/>. Thread-safe; disposing waits for
/// nothing but releases the session once the last running request finishes.
/// </summary>
public sealed class OnnxModel : IServableModel, IDisposable
{
    /// <summary>The platform name reported in metadata.</summary>
    public const string PlatformName = "onnxruntime_onnx";

    private static readonly RunOptions SharedRunOptions = new();

    private readonly InferenceSession _session;
    private readonly Dictionary<string, TensorSpec> _inputs;
    private readonly Dictionary<string, TensorSpec> _outputs;
    private readonly string[] _allOutputNames;
    private readonly string? _unsupportedInput;
    private int _references = 1;
    private int _disposed;

    private OnnxModel(string name, long version, InferenceSession session)
    {
        Name = name;
        Version = version;
        _session = session;
        var inputs = new List<TensorSpec>();
        foreach (var inputName in session.InputNames)
        {
            var meta = session.InputMetadata[inputName];
            if (!meta.IsTensor || !TensorElementTypes.IsSupported(meta.ElementDataType))
            {
                _unsupportedInput ??= inputName;
                continue;
            }

            inputs.Add(ToSpec(inputName, meta));
        }

        var outputs = new List<TensorSpec>();
        foreach (var outputName in session.OutputNames)
        {
            var meta = session.OutputMetadata[outputName];
            if (meta.IsTensor && TensorElementTypes.IsSupported(meta.ElementDataType))
            {
                outputs.Add(ToSpec(outputName, meta));
            }
        }

        Signature = new ModelSignature(inputs, outputs);
        _inputs = inputs.ToDictionary(s => s.Name, StringComparer.Ordinal);
        _outputs = outputs.ToDictionary(s => s.Name, StringComparer.Ordinal);
        _allOutputNames = [.. outputs.Select(s => s.Name)];
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public long Version { get; }

    /// <inheritdoc />
    public ModelSignature Signature { get; }

    /// <inheritdoc />
    public string Platform => PlatformName;

    /// <summary>Where the time of each ONNX Runtime run is recorded; null records nothing.</summary>
    internal ServingMetrics? Metrics { get; set; }

    /// <summary>
    /// Creates a session from ONNX model bytes. Outputs and inputs that are not tensors of a supported
    /// element type (sequences, maps, optionals, complex, float8) are left out of the signature; a model
    /// with such an input refuses every request with <see cref="ServingErrorCode.FailedPrecondition"/>.
    /// </summary>
    /// <exception cref="ModelLoadException">ONNX Runtime refuses the bytes.</exception>
    public static OnnxModel Load(string name, long version, byte[] modelBytes, OnnxModelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(modelBytes);
        options ??= new OnnxModelOptions();
        using var sessionOptions = options.CreateSessionOptions();
        InferenceSession session;
        try
        {
            session = new InferenceSession(modelBytes, sessionOptions);
        }
        catch (OnnxRuntimeException ex)
        {
            throw new ModelLoadException($"ONNX Runtime cannot load model '{name}' version {version}: {ex.Message}", ex);
        }

        try
        {
            return new OnnxModel(name, version, session);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public ValueTask<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Infer(request));
    }

    /// <summary>Runs the model synchronously on the calling thread (see <see cref="InferAsync"/>).</summary>
    public InferenceResult Infer(InferenceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var error = ValidateRequest(request, out var outputNames);
        if (error is not null)
        {
            return InferenceResult.Failure(error);
        }

        if (!TryAcquire())
        {
            return InferenceResult.Failure(ServingErrorCode.Unavailable, $"Model '{Name}' version {Version} is being unloaded; retry to reach the current version.");
        }

        try
        {
            return Run(request, outputNames);
        }
        finally
        {
            Release();
        }
    }

    /// <summary>Checks a request against the signature without running it; null when it is valid.</summary>
    public ServingError? Validate(InferenceRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ValidateRequest(request, out _);
    }

    /// <summary>Releases the session once no request is running on it.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            Release();
        }
    }

    private static TensorSpec ToSpec(string name, NodeMetadata meta) =>
        new(name, meta.ElementDataType, [.. meta.Dimensions.Select(d => d < 0 ? -1L : d)]);

    private ServingError? ValidateRequest(InferenceRequest request, out IReadOnlyList<string> outputNames)
    {
        outputNames = _allOutputNames;
        if (_unsupportedInput is not null)
        {
            return new ServingError(ServingErrorCode.FailedPrecondition, $"Model '{Name}' input '{_unsupportedInput}' is not a tensor of a supported type; the serving APIs carry numeric, bool and string tensors only.");
        }

        // Inputs are few; a linear scan for duplicates beats a set on the hot path.
        var inputs = request.Inputs;
        for (var i = 0; i < inputs.Count; i++)
        {
            var tensor = inputs[i];
            if (!_inputs.TryGetValue(tensor.Name, out var spec))
            {
                return new ServingError(ServingErrorCode.InvalidArgument, $"Unknown input '{tensor.Name}' for model '{Name}'; the model's inputs are: {string.Join(", ", _inputs.Keys)}.");
            }

            for (var j = 0; j < i; j++)
            {
                if (string.Equals(inputs[j].Name, tensor.Name, StringComparison.Ordinal))
                {
                    return new ServingError(ServingErrorCode.InvalidArgument, $"Input '{tensor.Name}' is given more than once.");
                }
            }

            var message = InputBinder.Validate(tensor, spec);
            if (message is not null)
            {
                return new ServingError(ServingErrorCode.InvalidArgument, message);
            }
        }

        if (inputs.Count != _inputs.Count)
        {
            var missing = _inputs.Values.First(s => !inputs.Any(t => t.Name == s.Name));
            return new ServingError(ServingErrorCode.InvalidArgument, $"Missing input '{missing.Name}' ({TensorElementTypes.OnnxName(missing.ElementType)} {TensorElementTypes.FormatShape(missing.Shape)}) for model '{Name}'.");
        }

        if (request.OutputNames is { Count: > 0 } requested)
        {
            foreach (var output in requested)
            {
                if (!_outputs.ContainsKey(output))
                {
                    return new ServingError(ServingErrorCode.InvalidArgument, $"Unknown output '{output}' for model '{Name}'; the model's outputs are: {string.Join(", ", _outputs.Keys)}.");
                }
            }

            outputNames = requested;
        }

        return null;
    }

    private InferenceResult Run(InferenceRequest request, IReadOnlyList<string> outputNames)
    {
        var count = request.Inputs.Count;
        var names = new string[count];
        var values = new OrtValue[count];
        var pins = new MemoryHandle[count];
        IDisposableReadOnlyCollection<OrtValue>? results = null;
        try
        {
            for (var i = 0; i < count; i++)
            {
                names[i] = request.Inputs[i].Name;
                values[i] = InputBinder.Bind(request.Inputs[i], ref pins[i]);
            }

            try
            {
                var started = Stopwatch.GetTimestamp();
                results = _session.Run(SharedRunOptions, names, values, outputNames);
                Metrics?.RecordCompute(Name, Version, Stopwatch.GetElapsedTime(started));
            }
            catch (OnnxRuntimeException ex)
            {
                var code = ex.Message.Contains("[ErrorCode:InvalidArgument]", StringComparison.Ordinal)
                    ? ServingErrorCode.InvalidArgument
                    : ServingErrorCode.Internal;
                return InferenceResult.Failure(code, $"ONNX Runtime failed to run model '{Name}' version {Version}: {ex.Message}");
            }

            var outputs = new InferenceTensor[outputNames.Count];
            var index = 0;
            foreach (var value in results)
            {
                outputs[index] = ToTensor(outputNames[index], value);
                index++;
            }

            var result = InferenceResult.Success(outputs, results);
            results = null;
            return result;
        }
        finally
        {
            results?.Dispose();
            for (var i = 0; i < count; i++)
            {
                values[i]?.Dispose();
                pins[i].Dispose();
            }
        }
    }

    private static unsafe InferenceTensor ToTensor(string name, OrtValue value)
    {
        var info = value.GetTensorTypeAndShape();
        var shape = info.Shape;
        if (info.ElementDataType == TensorElementType.String)
        {
            var count = checked((int)info.ElementCount);
            var strings = new ReadOnlyMemory<byte>[count];
            for (var i = 0; i < count; i++)
            {
                // Raw bytes, not decoded text: byte strings that are not valid UTF-8 must come back unchanged.
                strings[i] = value.GetStringElementAsSpan(i).ToArray();
            }

            return InferenceTensor.FromStrings(name, shape, strings);
        }

        var raw = value.GetTensorMutableRawData();
        if (raw.IsEmpty)
        {
            return InferenceTensor.FromBytes(name, info.ElementDataType, shape, ReadOnlyMemory<byte>.Empty);
        }

        fixed (byte* pointer = raw)
        {
            // The buffer is owned by the OrtValue, which the result keeps alive: the pointer stays valid.
            var memory = new NativeMemoryManager((IntPtr)pointer, raw.Length).Memory;
            return InferenceTensor.FromBytes(name, info.ElementDataType, shape, memory);
        }
    }

    private bool TryAcquire()
    {
        while (true)
        {
            var current = Volatile.Read(ref _references);
            if (current == 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _references, current + 1, current) == current)
            {
                return true;
            }
        }
    }

    private void Release()
    {
        if (Interlocked.Decrement(ref _references) == 0)
        {
            _session.Dispose();
        }
    }
}
