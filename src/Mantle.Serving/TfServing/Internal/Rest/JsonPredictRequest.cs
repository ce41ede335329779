using System.Text.Json;
using Mantle.Serving.Engine;
using Mantle.Serving.Protocol.Internal;

namespace Mantle.Serving.TfServing.Internal.Rest;

/// <summary>
/// A parsed TF Serving REST predict request: the input tensors (whose memory lives in this object and
/// in the request body) and the format the response must use. Dispose after the inference.
/// </summary>
internal sealed class JsonPredictRequest : IDisposable
{
    private readonly List<JsonTensorBuilder> _builders;

    private JsonPredictRequest(List<JsonTensorBuilder> builders) => _builders = builders;

    /// <summary>True for the row format ("instances" → "predictions"), false for columnar ("inputs" → "outputs").</summary>
    public bool RowFormat { get; private set; }

    public List<InferenceTensor> Inputs { get; } = [];

    public ServingError? Error { get; private set; }

    /// <summary>Parses <paramref name="body"/>[0..<paramref name="length"/>) against the model's inputs.</summary>
    public static JsonPredictRequest Parse(byte[] body, int length, ModelSignature signature)
    {
        var builders = new List<JsonTensorBuilder>(signature.Inputs.Count);
        foreach (var input in signature.Inputs)
        {
            builders.Add(new JsonTensorBuilder(input.Name, input.ElementType, body));
        }

        var request = new JsonPredictRequest(builders);
        try
        {
            var reader = new Utf8JsonReader(body.AsSpan(0, length), new JsonReaderOptions { MaxDepth = 128 });
            request.Error = request.ParseDocument(ref reader);
        }
        catch (JsonException ex)
        {
            request.Error = Invalid($"JSON Parse error: {ex.Message}");
        }
        catch (InvalidOperationException) when (JsonText.FindInvalidString(body.AsSpan(0, length)) is { } location)
        {
            request.Error = Invalid(JsonText.NotText(location));
        }

        return request;
    }

    public void Dispose()
    {
        foreach (var builder in _builders)
        {
            builder.Dispose();
        }
    }

    private static ServingError Invalid(string message) => new(ServingErrorCode.InvalidArgument, message);

    private static bool IsBase64Object(Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.StartObject
        && reader.Read() && reader.TokenType == JsonTokenType.PropertyName && reader.ValueTextEquals("b64"u8)
        && reader.Read() && reader.TokenType == JsonTokenType.String
        && reader.Read() && reader.TokenType == JsonTokenType.EndObject;

    private static bool IsNamedObject(in Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.StartObject && !IsBase64Object(reader);

    private string InputNames() => string.Join(", ", _builders.Select(b => b.Name));

    private JsonTensorBuilder? Builder(ref Utf8JsonReader reader)
    {
        foreach (var builder in _builders)
        {
            if (reader.ValueTextEquals(builder.Name))
            {
                return builder;
            }
        }

        return null;
    }

    private ServingError? ParseDocument(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            return Invalid("JSON Parse error: The document is empty");
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            return Invalid("The request body is not a JSON object; send {\"instances\": [...]} or {\"inputs\": ...}");
        }

        var seen = false;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            JsonText.EnsureText(ref reader);
            if (reader.ValueTextEquals("signature_name"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.String)
                {
                    return Invalid("'signature_name' key must be a string value");
                }

                if (RequestText.Check("'signature_name'", ref reader) is { } tooLong)
                {
                    return Invalid(tooLong);
                }

                var signatureError = TfModels.CheckSignature(reader.GetString());
                if (signatureError is not null)
                {
                    return signatureError;
                }
            }
            else if (reader.ValueTextEquals("instances"u8) || reader.ValueTextEquals("inputs"u8))
            {
                if (seen)
                {
                    return Invalid("Not formatted correctly: expecting only one of 'inputs' or 'instances' keys to exist");
                }

                seen = true;
                RowFormat = reader.ValueTextEquals("instances"u8);
                reader.Read();
                var error = RowFormat ? ParseInstances(ref reader) : ParseInputs(ref reader);
                if (error is not null)
                {
                    return error;
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (!seen)
        {
            return Invalid("Missing 'inputs' or 'instances' key");
        }

        // Read to the end so that trailing garbage is reported as malformed JSON.
        while (reader.Read())
        {
        }

        return null;
    }

    private ServingError? ParseInstances(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return Invalid("Expecting 'instances' to be a list/array");
        }

        reader.Read();
        if (reader.TokenType == JsonTokenType.EndArray)
        {
            return Invalid("No values in 'instances' array");
        }

        var named = IsNamedObject(reader);
        if (!named && _builders.Count != 1)
        {
            return Invalid($"instances is a plain list, but expecting list of objects as multiple input tensors required as per the signature (inputs: {InputNames()})");
        }

        var item = 0;
        for (; reader.TokenType != JsonTokenType.EndArray; reader.Read(), item++)
        {
            var error = named ? ParseNamedInstance(ref reader, item) : ParsePlainInstance(ref reader, item);
            if (error is not null)
            {
                return error;
            }
        }

        foreach (var builder in _builders)
        {
            Inputs.Add(builder.Build(item));
        }

        return null;
    }

    private ServingError? ParsePlainInstance(ref Utf8JsonReader reader, int item)
    {
        if (IsNamedObject(reader))
        {
            return Invalid($"Expecting value/list but got object at item {item} of input list");
        }

        var builder = _builders[0];
        var message = builder.ReadValue(ref reader, 1);
        return message is null ? null : Invalid($"Failed to process element: {item} of 'instances' list (input '{builder.Name}'). Error: {message}");
    }

    private ServingError? ParseNamedInstance(ref Utf8JsonReader reader, int item)
    {
        if (!IsNamedObject(reader))
        {
            return Invalid($"Expecting object but got list/value at item {item} of input list; every instance must be an object keyed by input name ({InputNames()})");
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            JsonText.EnsureText(ref reader);
            var builder = Builder(ref reader);
            if (builder is null)
            {
                return Invalid($"Failed to process element: {item} of 'instances' list. JSON object has a key that is not an input of the signature; keys must be equal to: {InputNames()}");
            }

            if (builder.Instances != item)
            {
                return Invalid($"Failed to process element: {item} key: {builder.Name} of 'instances' list. The key appears more than once");
            }

            builder.Instances++;
            reader.Read();
            var message = builder.ReadValue(ref reader, 1);
            if (message is not null)
            {
                return Invalid($"Failed to process element: {item} key: {builder.Name} of 'instances' list. Error: {message}");
            }
        }

        foreach (var builder in _builders)
        {
            if (builder.Instances != item + 1)
            {
                return Invalid($"Failed to process element: {item} of 'instances' list. Missing named input: {builder.Name}; keys must be equal to: {InputNames()}");
            }
        }

        return null;
    }

    private ServingError? ParseInputs(ref Utf8JsonReader reader)
    {
        if (!IsNamedObject(reader))
        {
            if (_builders.Count != 1)
            {
                return Invalid($"inputs is a plain value/list, but expecting an object as multiple input tensors required as per the signature (inputs: {InputNames()})");
            }

            var single = _builders[0];
            var message = single.ReadValue(ref reader, 0);
            if (message is not null)
            {
                return Invalid($"Failed to process 'inputs' (input '{single.Name}'). Error: {message}");
            }

            Inputs.Add(single.Build(null));
            return null;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            JsonText.EnsureText(ref reader);
            var builder = Builder(ref reader);
            if (builder is null)
            {
                return Invalid($"'inputs' object has a key that is not an input of the signature; the inputs are: {InputNames()}");
            }

            if (builder.HasValue)
            {
                return Invalid($"'inputs' object has the key {builder.Name} more than once");
            }

            reader.Read();
            var message = builder.ReadValue(ref reader, 0);
            if (message is not null)
            {
                return Invalid($"Failed to process input '{builder.Name}' of 'inputs' object. Error: {message}");
            }
        }

        foreach (var builder in _builders)
        {
            if (!builder.HasValue)
            {
                return Invalid($"Missing named input: {builder.Name} in 'inputs' object.");
            }

            Inputs.Add(builder.Build(null));
        }

        return null;
    }
}
