using System.Text.Json;
using Mantle.Serving.Protocol.Internal;

namespace Mantle.Serving.KServe.Internal;

/// <summary>
/// Reads the JSON header of a REST infer request in one forward pass. The "data" values are not
/// decoded here (their datatype may come later in the object): their byte ranges are recorded and
/// decoded by <see cref="KServeJsonDataDecoder"/>.
/// </summary>
internal static class KServeJsonHeaderReader
{
    /// <summary>The longest property name that can be a key of the protocol, as raw (possibly escaped) JSON.</summary>
    private const int MaxKeyBytes = 64;

    public static KServeInferHeader Read(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        try
        {
            Expect(ref reader, JsonTokenType.StartObject, "the request body must be a JSON object");
            var header = new KServeInferHeader();
            var hasInputs = false;
            while (Next(ref reader) != JsonTokenType.EndObject)
            {
                var property = PropertyName(ref reader);
                Next(ref reader);
                switch (property)
                {
                    case "id":
                        header.Id = Text(ref reader, "\"id\"");
                        break;
                    case "inputs":
                        hasInputs = true;
                        ReadArray(ref reader, "inputs", (ref Utf8JsonReader r) => header.Inputs.Add(ReadInput(ref r)));
                        break;
                    case "outputs":
                        ReadArray(ref reader, "outputs", (ref Utf8JsonReader r) => header.Outputs.Add(ReadOutput(ref r)));
                        break;
                    case "parameters":
                        ReadParameters(ref reader, "request", (name, ref r) =>
                        {
                            if (name == "binary_data_output")
                            {
                                header.BinaryDataOutput = ReadBool(ref r, "parameter \"binary_data_output\"");
                                return true;
                            }

                            return false;
                        });
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            if (!hasInputs)
            {
                throw Bad("the request has no \"inputs\"; give every model input as {\"name\", \"shape\", \"datatype\", \"data\"}");
            }

            return header;
        }
        catch (JsonException ex)
        {
            // The reader's own message may quote request bytes; report only the position.
            _ = ex;
            throw Bad($"malformed JSON near byte {reader.BytesConsumed} of the request header; send a JSON object as the KServe v2 protocol describes");
        }
        catch (InvalidOperationException) when (JsonText.FindInvalidString(json) is { } location)
        {
            throw Bad(JsonText.NotText(location));
        }
    }

    /// <summary>A property name to match against the protocol's keys; null for a name too long to be one of them (skipped, but it must be text).</summary>
    private static string? PropertyName(ref Utf8JsonReader reader)
    {
        if (!reader.HasValueSequence && reader.ValueSpan.Length <= MaxKeyBytes)
        {
            return reader.GetString();
        }

        JsonText.EnsureText(ref reader);
        return null;
    }

    /// <summary>A string field within <see cref="RequestText.MaxBytes"/>.</summary>
    private static string Text(ref Utf8JsonReader reader, string field)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw Bad($"{field} must be a string");
        }

        return RequestText.Check(field, ref reader) is { } problem ? throw Bad(problem) : reader.GetString()!;
    }

    private delegate void ElementReader(ref Utf8JsonReader reader);

    private delegate bool ParameterReader(string name, ref Utf8JsonReader reader);

    private static KServeInputHeader ReadInput(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Bad("each entry of \"inputs\" must be an object");
        }

        var input = new KServeInputHeader();
        var named = false;
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            var property = PropertyName(ref reader);
            Next(ref reader);
            switch (property)
            {
                case "name":
                    input.Name = Text(ref reader, "an input's \"name\"");
                    named = true;
                    break;
                case "datatype":
                    input.Datatype = Text(ref reader, "an input's \"datatype\"");
                    break;
                case "shape":
                    input.Shape = ReadShape(ref reader);
                    break;
                case "data":
                    var start = (int)reader.TokenStartIndex;
                    reader.Skip();
                    input.DataRange = (start, (int)reader.BytesConsumed);
                    break;
                case "parameters":
                    ReadParameters(ref reader, "input", (name, ref r) =>
                    {
                        if (name == "binary_data_size")
                        {
                            if (r.TokenType != JsonTokenType.Number || !r.TryGetInt64(out var size) || size < 0)
                            {
                                throw Bad("parameter \"binary_data_size\" must be a non-negative integer");
                            }

                            input.BinaryDataSize = size;
                            return true;
                        }

                        return false;
                    });
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        if (!named || input.Name.Length == 0)
        {
            throw Bad("an entry of \"inputs\" has no \"name\"");
        }

        return input;
    }

    private static (string Name, bool? Binary) ReadOutput(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Bad("each entry of \"outputs\" must be an object");
        }

        string? name = null;
        bool? binary = null;
        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            var property = PropertyName(ref reader);
            Next(ref reader);
            switch (property)
            {
                case "name":
                    name = Text(ref reader, "an output's \"name\"");
                    break;
                case "parameters":
                    ReadParameters(ref reader, "output", (p, ref r) =>
                    {
                        switch (p)
                        {
                            case "binary_data":
                                binary = ReadBool(ref r, "parameter \"binary_data\"");
                                return true;
                            case "classification":
                                throw new KServeRequestException(
                                    "the classification extension is not supported; request the raw output tensor instead",
                                    Engine.ServingErrorCode.Unimplemented);
                            default:
                                return false;
                        }
                    });
                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        return string.IsNullOrEmpty(name) ? throw Bad("an entry of \"outputs\" has no \"name\"") : (name, binary);
    }

    private static long[] ReadShape(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Bad("an input's \"shape\" must be an array of non-negative integers");
        }

        var dims = new List<long>(4);
        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var dim) || dim < 0)
            {
                throw Bad("an input's \"shape\" must be an array of non-negative integers");
            }

            dims.Add(dim);
        }

        return [.. dims];
    }

    private static void ReadArray(ref Utf8JsonReader reader, string what, ElementReader element)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            throw Bad($"\"{what}\" must be an array");
        }

        while (Next(ref reader) != JsonTokenType.EndArray)
        {
            element(ref reader);
        }
    }

    private static void ReadParameters(ref Utf8JsonReader reader, string owner, ParameterReader known)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw Bad($"the {owner}'s \"parameters\" must be an object");
        }

        while (Next(ref reader) != JsonTokenType.EndObject)
        {
            var name = PropertyName(ref reader);
            Next(ref reader);
            if (name is null || !known(name, ref reader))
            {
                // Unknown parameters are allowed by the protocol and ignored.
                reader.Skip();
            }
        }
    }

    private static bool ReadBool(ref Utf8JsonReader reader, string what) => reader.TokenType switch
    {
        JsonTokenType.True => true,
        JsonTokenType.False => false,
        _ => throw Bad($"{what} must be true or false"),
    };

    private static JsonTokenType Next(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw Bad("the JSON ends early");
        }

        return reader.TokenType;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type, string message)
    {
        if (!reader.Read() || reader.TokenType != type)
        {
            throw Bad(message);
        }
    }

    private static KServeRequestException Bad(string message) => new(message);
}
