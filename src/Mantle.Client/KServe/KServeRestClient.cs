using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Mantle.Client.Inference;
using Mantle.Client.Tensors;

namespace Mantle.Client.KServe;

/// <summary>
/// A client of the KServe v2 REST API (<c>/v2/models/{model}/infer</c>). By default requests and responses use the
/// binary tensor extension: a JSON header followed by the raw tensor bytes; the JSON form (every element a JSON
/// value in <c>"data"</c>) is chosen with the constructor.
/// </summary>
public class KServeRestClient : IInferenceClient
{
    private const string HeaderLengthName = "Inference-Header-Content-Length";
    private readonly HttpClient _http;
    private readonly bool _binary;

    /// <summary>Creates a client for a server's REST base address (for example <c>http://127.0.0.1:8501</c>).</summary>
    public KServeRestClient(Uri baseAddress, HttpMessageHandler? handler = null)
        : this(baseAddress, handler, binaryData: true)
    {
    }

    /// <summary>Creates a client for a server's REST base address that sends tensors as binary data or as JSON.</summary>
    /// <param name="baseAddress">The server's REST base address.</param>
    /// <param name="handler">An HTTP handler, or null for the default.</param>
    /// <param name="binaryData">True for the binary tensor extension, false for JSON <c>"data"</c> arrays both ways.</param>
    public KServeRestClient(Uri baseAddress, HttpMessageHandler? handler, bool binaryData)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: true);
        _http.BaseAddress = baseAddress;
        _binary = binaryData;
    }

    /// <inheritdoc />
    public InferenceProtocol Protocol => _binary ? InferenceProtocol.KServeRest : InferenceProtocol.KServeRestJson;

    /// <inheritdoc />
    public virtual async Task<ModelDescription> GetModelAsync(string model, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync(new Uri($"v2/models/{Uri.EscapeDataString(model)}", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        var body = await ReadSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        string? version = null;
        if (root.TryGetProperty("versions", out var versions) && versions.ValueKind == JsonValueKind.Array && versions.GetArrayLength() > 0)
        {
            version = versions[versions.GetArrayLength() - 1].ToString();
        }

        return new ModelDescription(
            root.TryGetProperty("name", out var name) ? name.GetString() ?? model : model,
            version,
            ReadTensors(root, "inputs"),
            ReadTensors(root, "outputs"));
    }

    /// <inheritdoc />
    public virtual async Task<IReadOnlyList<ClientTensor>> InferAsync(string model, IReadOnlyList<ClientTensor> inputs, CancellationToken cancellationToken = default)
    {
        var (requestBody, requestHeaderLength) = EncodeRequest(inputs);
        using var content = CreateContent(requestBody, requestHeaderLength);
        using var response = await _http.PostAsync(InferUri(model), content, cancellationToken).ConfigureAwait(false);
        var body = await ReadSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        var headerLength = response.Headers.TryGetValues(HeaderLengthName, out var values)
            || response.Content.Headers.TryGetValues(HeaderLengthName, out values)
            ? int.Parse(values.First(), CultureInfo.InvariantCulture)
            : body.Length;
        return ParseResponse(body, headerLength);
    }

    /// <inheritdoc />
    public virtual Func<CancellationToken, Task> Prepare(string model, IReadOnlyList<ClientTensor> inputs)
    {
        var (body, headerLength) = EncodeRequest(inputs);
        var uri = InferUri(model);
        return async cancellationToken =>
        {
            using var content = CreateContent(body, headerLength);
            using var response = await _http.PostAsync(uri, content, cancellationToken).ConfigureAwait(false);
            await ReadSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        };
    }

    /// <summary>Disposes the underlying HTTP client.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Disposes the underlying HTTP client.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            _http.Dispose();
        }
    }

    private static Uri InferUri(string model) => new($"v2/models/{Uri.EscapeDataString(model)}/infer", UriKind.Relative);

    private ByteArrayContent CreateContent(byte[] body, int headerLength)
    {
        var content = new ByteArrayContent(body);
        if (!_binary)
        {
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            return content;
        }

        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.TryAddWithoutValidation(HeaderLengthName, headerLength.ToString(CultureInfo.InvariantCulture));
        return content;
    }

    /// <summary>
    /// The request body: a JSON header naming every input, then (binary) the inputs' bytes in order, or (JSON) each
    /// input's elements in its <c>"data"</c> array. Returns the body and the length of its JSON part.
    /// </summary>
    private (byte[] Body, int HeaderLength) EncodeRequest(IReadOnlyList<ClientTensor> inputs)
    {
        using var header = new MemoryStream();
        using (var writer = new Utf8JsonWriter(header))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("inputs");
            foreach (var input in inputs)
            {
                writer.WriteStartObject();
                writer.WriteString("name", input.Name);
                writer.WriteStartArray("shape");
                foreach (var dim in input.Shape)
                {
                    writer.WriteNumberValue(dim);
                }

                writer.WriteEndArray();
                writer.WriteString("datatype", TensorDataTypes.ToKServeName(input.DataType));
                if (_binary)
                {
                    writer.WriteStartObject("parameters");
                    writer.WriteNumber("binary_data_size", KServeBinary.Size(input));
                    writer.WriteEndObject();
                }
                else
                {
                    writer.WritePropertyName("data");
                    WriteFlatData(writer, input);
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            if (_binary)
            {
                writer.WriteStartObject("parameters");
                writer.WriteBoolean("binary_data_output", true);
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
        }

        if (!_binary)
        {
            var json = header.ToArray();
            return (json, json.Length);
        }

        var headerBytes = header.ToArray();
        var body = new byte[headerBytes.Length + inputs.Sum(KServeBinary.Size)];
        headerBytes.CopyTo(body, 0);
        var offset = headerBytes.Length;
        foreach (var input in inputs)
        {
            offset += KServeBinary.Write(input, body.AsSpan(offset));
        }

        return (body, headerBytes.Length);
    }

    /// <summary>The elements as one flat array; non-finite floats as the strings KServe reads ("NaN", "Infinity", "-Infinity").</summary>
    private static void WriteFlatData(Utf8JsonWriter writer, ClientTensor tensor)
    {
        if (tensor.DataType == TensorDataType.String)
        {
            JsonTensors.WriteFlat(writer, tensor);
            return;
        }

        writer.WriteStartArray();
        for (long i = 0; i < tensor.ElementCount; i++)
        {
            var text = TensorElements.Format(tensor.DataType, tensor.Data, i);
            if (text is "NaN" or "Infinity" or "-Infinity")
            {
                writer.WriteStringValue(text);
            }
            else
            {
                writer.WriteRawValue(text, skipInputValidation: true);
            }
        }

        writer.WriteEndArray();
    }

    private static List<ClientTensor> ParseResponse(byte[] body, int headerLength)
    {
        using var document = JsonDocument.Parse(body.AsMemory(0, headerLength));
        var outputs = new List<ClientTensor>();
        var offset = headerLength;
        foreach (var output in document.RootElement.GetProperty("outputs").EnumerateArray())
        {
            var name = output.GetProperty("name").GetString() ?? "";
            var datatype = output.GetProperty("datatype").GetString();
            if (!TensorDataTypes.TryParse(datatype, out var type))
            {
                throw new InferenceClientException("200", $"output '{name}' has an unknown datatype '{datatype}'");
            }

            var shape = output.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray();
            if (output.TryGetProperty("parameters", out var parameters) && parameters.TryGetProperty("binary_data_size", out var sizeElement))
            {
                var size = sizeElement.GetInt32();
                outputs.Add(KServeBinary.Read(name, type.Value, shape, body.AsSpan(offset, size)));
                offset += size;
            }
            else
            {
                outputs.Add(JsonTensors.Read(name, type.Value, output.GetProperty("data"), shape));
            }
        }

        return outputs;
    }

    private static List<TensorDescription> ReadTensors(JsonElement root, string property)
    {
        var result = new List<TensorDescription>();
        if (!root.TryGetProperty(property, out var tensors))
        {
            return result;
        }

        foreach (var tensor in tensors.EnumerateArray())
        {
            var datatype = tensor.GetProperty("datatype").GetString();
            if (!TensorDataTypes.TryParse(datatype, out var type))
            {
                throw new InferenceClientException("200", $"the server describes {property} '{tensor.GetProperty("name").GetString()}' with an unknown datatype '{datatype}'");
            }

            result.Add(new TensorDescription(
                tensor.GetProperty("name").GetString() ?? "",
                type.Value,
                tensor.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).ToArray()));
        }

        return result;
    }

    internal static async Task<byte[]> ReadSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode)
        {
            return body;
        }

        var message = $"HTTP {(int)response.StatusCode} {response.ReasonPhrase}";
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.TryGetProperty("error", out var error))
            {
                message = error.GetString() ?? message;
            }
        }
        catch (JsonException)
        {
            // Not a JSON error body: keep the status line.
        }

        throw new InferenceClientException(((int)response.StatusCode).ToString(CultureInfo.InvariantCulture), message);
    }
}
