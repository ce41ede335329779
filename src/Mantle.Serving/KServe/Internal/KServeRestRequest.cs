using Mantle.Serving.Engine;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.KServe.Internal;

/// <summary>A decoded REST infer request: tensors over the request buffer, and how each output is wanted.</summary>
internal sealed class KServeRestRequest
{
    private KServeRestRequest(KServeInferHeader header, List<InferenceTensor> inputs)
    {
        Header = header;
        Inputs = inputs;
    }

    public KServeInferHeader Header { get; }

    public List<InferenceTensor> Inputs { get; }

    /// <summary>The requested output names, or null for all outputs.</summary>
    public IReadOnlyList<string>? OutputNames => Header.Outputs.Count == 0 ? null : Header.Outputs.ConvertAll(o => o.Name);

    /// <summary>Whether an output goes into the binary section of the response.</summary>
    public bool WantsBinary(string output)
    {
        foreach (var (name, binary) in Header.Outputs)
        {
            if (name == output && binary.HasValue)
            {
                return binary.Value;
            }
        }

        return Header.BinaryDataOutput;
    }

    /// <summary>The refusal of an <c>Inference-Header-Content-Length</c> larger than the body.</summary>
    public static KServeRequestException HeaderLengthBeyondBody(long headerLength, long bodyLength) =>
        new($"header Inference-Header-Content-Length is {headerLength} but the body has {bodyLength} bytes; it must give the length of the JSON part");

    /// <summary>
    /// Decodes a body: <paramref name="headerLength"/> bytes of JSON (the whole body when null), then
    /// the binary tensor data of the inputs that declare <c>binary_data_size</c>, in input order.
    /// </summary>
    public static KServeRestRequest Decode(ReadOnlyMemory<byte> body, long? headerLength)
    {
        if (headerLength is { } h && (h < 0 || h > body.Length))
        {
            throw HeaderLengthBeyondBody(h, body.Length);
        }

        var jsonLength = (int)(headerLength ?? body.Length);
        var json = body[..jsonLength];
        var header = KServeJsonHeaderReader.Read(json.Span);
        var binary = body[jsonLength..];
        var offset = 0;
        var inputs = new List<InferenceTensor>(header.Inputs.Count);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var input in header.Inputs)
        {
            if (!seen.Add(input.Name))
            {
                throw new KServeRequestException($"input '{input.Name}' is given more than once");
            }

            var type = KServeTensorCodec.ParseDatatype(input.Name, input.Datatype);
            var shape = input.Shape ?? throw new KServeRequestException($"input '{input.Name}' has no \"shape\"");
            var count = KServeTensorCodec.ElementCount(input.Name, shape);
            if (input.BinaryDataSize is { } size)
            {
                if (input.DataRange.Start >= 0)
                {
                    throw new KServeRequestException($"input '{input.Name}' has both \"data\" and parameter \"binary_data_size\"; give one");
                }

                if (size > binary.Length - offset)
                {
                    throw new KServeRequestException(
                        $"input '{input.Name}': binary_data_size is {size} but only {binary.Length - offset} bytes of binary data remain after the JSON header");
                }

                inputs.Add(KServeTensorCodec.FromRaw(input.Name, type, shape, binary.Slice(offset, (int)size)));
                offset += (int)size;
                continue;
            }

            if (input.DataRange.Start < 0)
            {
                throw new KServeRequestException($"input '{input.Name}' has no \"data\" and no parameter \"binary_data_size\"");
            }

            var data = json.Span[input.DataRange.Start..input.DataRange.End];
            inputs.Add(type == TensorElementType.String
                ? InferenceTensor.FromStrings(input.Name, shape, KServeJsonDataDecoder.DecodeStrings(data, input.Name, count))
                : InferenceTensor.FromBytes(input.Name, type, shape, KServeJsonDataDecoder.DecodeFixed(data, input.Name, type, count)));
        }

        if (offset != binary.Length)
        {
            throw new KServeRequestException(
                $"the body has {binary.Length - offset} bytes of binary data that no input claims; the binary_data_size values must add up to the bytes after the JSON header");
        }

        return new KServeRestRequest(header, inputs);
    }
}
