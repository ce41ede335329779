using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text.Json;
using Mantle.Client.Inference;
using Mantle.Client.KServe;
using Mantle.Client.Tensors;

namespace Mantle.Client.TfServing;

/// <summary>
/// A client of the TF Serving REST API (<c>/v1/models/{model}:predict</c>, columnar format). Output types
/// come from the model's metadata (the predict response does not carry them), read once and cached.
/// </summary>
public class TfServingRestClient : IInferenceClient
{
    private readonly HttpClient _http;
    private readonly ConcurrentDictionary<string, ModelDescription> _models = new(StringComparer.Ordinal);

    /// <summary>Creates a client for a server's REST base address (for example <c>http://127.0.0.1:8501</c>).</summary>
    public TfServingRestClient(Uri baseAddress, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(baseAddress);
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: true);
        _http.BaseAddress = baseAddress;
    }

    /// <inheritdoc />
    public InferenceProtocol Protocol => InferenceProtocol.TfsRest;

    /// <inheritdoc />
    public virtual async Task<ModelDescription> GetModelAsync(string model, CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync(new Uri($"v1/models/{Uri.EscapeDataString(model)}/metadata", UriKind.Relative), cancellationToken).ConfigureAwait(false);
        var body = await KServeRestClient.ReadSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        using var document = JsonDocument.Parse(body);
        var root = document.RootElement;
        var signature = root.GetProperty("metadata").GetProperty("signature_def").GetProperty("signature_def").GetProperty("serving_default");
        string? version = root.TryGetProperty("model_spec", out var spec) && spec.TryGetProperty("version", out var v) ? v.ToString() : null;
        var description = new ModelDescription(model, version, ReadTensors(signature, "inputs"), ReadTensors(signature, "outputs"));
        _models[model] = description;
        return description;
    }

    /// <inheritdoc />
    public virtual async Task<IReadOnlyList<ClientTensor>> InferAsync(string model, IReadOnlyList<ClientTensor> inputs, CancellationToken cancellationToken = default)
    {
        if (!_models.TryGetValue(model, out var description))
        {
            description = await GetModelAsync(model, cancellationToken).ConfigureAwait(false);
        }

        using var content = CreateContent(EncodeRequest(inputs));
        using var response = await _http.PostAsync(PredictUri(model), content, cancellationToken).ConfigureAwait(false);
        var body = NonFiniteJson.Quote(await KServeRestClient.ReadSuccessAsync(response, cancellationToken).ConfigureAwait(false));
        using var document = JsonDocument.Parse(body);
        var outputsElement = document.RootElement.GetProperty("outputs");
        var result = new List<ClientTensor>();
        if (outputsElement.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in outputsElement.EnumerateObject())
            {
                result.Add(JsonTensors.Read(property.Name, OutputType(description, property.Name), property.Value));
            }
        }
        else
        {
            var only = description.Outputs.Count > 0 ? description.Outputs[0] : throw new InferenceClientException("200", "the model metadata lists no outputs");
            result.Add(JsonTensors.Read(only.Name, only.DataType, outputsElement));
        }

        return result;
    }

    /// <inheritdoc />
    public virtual Func<CancellationToken, Task> Prepare(string model, IReadOnlyList<ClientTensor> inputs)
    {
        var body = EncodeRequest(inputs);
        var uri = PredictUri(model);
        return async cancellationToken =>
        {
            using var content = CreateContent(body);
            using var response = await _http.PostAsync(uri, content, cancellationToken).ConfigureAwait(false);
            await KServeRestClient.ReadSuccessAsync(response, cancellationToken).ConfigureAwait(false);
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

    private static Uri PredictUri(string model) => new($"v1/models/{Uri.EscapeDataString(model)}:predict", UriKind.Relative);

    private static ByteArrayContent CreateContent(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static byte[] EncodeRequest(IReadOnlyList<ClientTensor> inputs)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("inputs");
            foreach (var input in inputs)
            {
                writer.WritePropertyName(input.Name);
                JsonTensors.WriteNested(writer, input, base64Strings: true);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return stream.ToArray();
    }

    private static TensorDataType OutputType(ModelDescription description, string name) =>
        description.Outputs.FirstOrDefault(o => o.Name == name)?.DataType
        ?? throw new InferenceClientException("200", $"the response has output '{name}', which the model metadata does not list");

    private static List<TensorDescription> ReadTensors(JsonElement signature, string property)
    {
        var result = new List<TensorDescription>();
        if (!signature.TryGetProperty(property, out var tensors))
        {
            return result;
        }

        foreach (var tensor in tensors.EnumerateObject())
        {
            var dtype = tensor.Value.GetProperty("dtype").GetString();
            if (!TensorDataTypes.TryParse(dtype, out var type))
            {
                throw new InferenceClientException("200", $"{property} '{tensor.Name}' has a dtype the client does not know: '{dtype}'");
            }

            var shape = new List<long>();
            if (tensor.Value.TryGetProperty("tensor_shape", out var tensorShape) && tensorShape.TryGetProperty("dim", out var dims))
            {
                foreach (var dim in dims.EnumerateArray())
                {
                    var size = dim.GetProperty("size");
                    shape.Add(size.ValueKind == JsonValueKind.String ? long.Parse(size.GetString()!, System.Globalization.CultureInfo.InvariantCulture) : size.GetInt64());
                }
            }

            result.Add(new TensorDescription(tensor.Name, type.Value, shape));
        }

        return result;
    }
}
