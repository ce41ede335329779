using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Mantle.Serving.Engine;
using Mantle.Serving.KServe.Internal;

namespace Mantle.Serving.Tests.KServe;

/// <summary>A client of the REST infer endpoint with the binary tensor extension, written from the protocol description.</summary>
internal static class KServeRestTestClient
{
    public sealed record Reply(HttpStatusCode Status, IReadOnlyList<InferenceTensor> Outputs, string? Error, JsonElement? Json);

    /// <summary>Sends every input in binary form and asks for every output in binary form.</summary>
    public static async Task<Reply> InferBinaryAsync(HttpClient http, string model, IReadOnlyList<InferenceTensor> inputs, bool binaryOutputs = true)
    {
        var json = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(json))
        {
            w.WriteStartObject();
            w.WriteStartArray("inputs");
            foreach (var tensor in inputs)
            {
                w.WriteStartObject();
                w.WriteString("name", tensor.Name);
                w.WriteString("datatype", KServeDataTypes.ToName(tensor.ElementType));
                w.WriteStartArray("shape");
                foreach (var d in tensor.Shape)
                {
                    w.WriteNumberValue(d);
                }

                w.WriteEndArray();
                w.WriteStartObject("parameters");
                w.WriteNumber("binary_data_size", KServeTensorCodec.RawLength(tensor));
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("parameters");
            w.WriteBoolean("binary_data_output", binaryOutputs);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        var body = new ArrayBufferWriter<byte>();
        body.Write(json.WrittenSpan);
        foreach (var tensor in inputs)
        {
            KServeTensorCodec.WriteRaw(tensor, body);
        }

        using var content = new ByteArrayContent(body.WrittenSpan.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add(KServeRestHandlers.HeaderLengthHeader, json.WrittenCount.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await http.PostAsync($"/v2/models/{model}/infer", content);
        return await ReadReplyAsync(response);
    }

    public static async Task<Reply> ReadReplyAsync(HttpResponseMessage response)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var headerLength = response.Headers.TryGetValues(KServeRestHandlers.HeaderLengthHeader, out var values)
            ? int.Parse(values.Single(), System.Globalization.CultureInfo.InvariantCulture)
            : bytes.Length;
        using var document = JsonDocument.Parse(bytes.AsMemory(0, headerLength));
        var root = document.RootElement.Clone();
        if (!response.IsSuccessStatusCode)
        {
            return new Reply(response.StatusCode, [], root.GetProperty("error").GetString(), root);
        }

        var outputs = new List<InferenceTensor>();
        var offset = headerLength;
        foreach (var output in root.GetProperty("outputs").EnumerateArray())
        {
            var name = output.GetProperty("name").GetString()!;
            Assert.True(KServeDataTypes.TryParse(output.GetProperty("datatype").GetString(), out var type));
            var shape = output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            if (output.TryGetProperty("parameters", out var parameters) && parameters.TryGetProperty("binary_data_size", out var size))
            {
                var raw = bytes.AsMemory(offset, size.GetInt32());
                offset += size.GetInt32();
                var count = shape.Aggregate(1L, (a, b) => a * b);
                outputs.Add(type == Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.String
                    ? InferenceTensor.FromStrings(name, shape, KServeTensorCodec.SplitBytesElements(name, raw, count))
                    : InferenceTensor.FromBytes(name, type, shape, raw));
            }
            else
            {
                outputs.Add(InferenceTensor.FromBytes(name, type, shape, ReadOnlyMemory<byte>.Empty));
            }
        }

        Assert.Equal(bytes.Length, offset);
        return new Reply(response.StatusCode, outputs, null, root);
    }
}
