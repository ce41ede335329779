using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using Mantle.Client.Inference;
using Mantle.Client.Tensors;

namespace Mantle.Client.KServe;

/// <summary>
/// A client of the KServe v2 REST API (<c>/v2/models/{model}/infer</c>). Requests and responses use the
/// binary tensor extension: a JSON header followed by the raw tensor bytes.
/// </summary>
public class KServeRestClient : IInferenceClient
{
    private const string HeaderLengthName = "Inference-Header-Content-Length";
    private readonly HttpClient _http;

    /// <summary>Creates a client for a server's REST base address (for example <c>http://127.0.0.1:8501</c>).</summary>
    public KServeRestClient(Uri baseAddress, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: true);
        _http.BaseAddress = baseAddress;
    }

    /// <inheritdoc />
    public InferenceProtocol Protocol => InferenceProtocol.KServeRest;

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

    private static ByteArrayContent CreateContent(byte[] body, int headerLength)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.TryAddWithoutValidation(HeaderLengthName, headerLength.ToString(CultureInfo.InvariantCulture));
        return content;
    }

    private static (byte[] Body, int HeaderLength) EncodeRequest(IReadOnlyList<ClientTensor> inputs)
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
                writer.WriteStartObject("parameters");
                writer.WriteNumber("binary_data_size", KServeBinary.Size(input));
                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartObject("parameters");
            writer.WriteBoolean("binary_data_output", true);
            writer.WriteEndObject();
            writer.WriteEndObject();
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
