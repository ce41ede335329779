using System.Text;
using System.Text.Json;

namespace Mantle.Client.Tensors;

/// <summary>Converts tensors to and from JSON arrays (flat or nested by shape), as the REST APIs carry them.</summary>
public static class JsonTensors
{
    /// <summary>
    /// Writes the tensor's elements as arrays nested by its shape (a bare value for a scalar). Strings are
    /// written as UTF-8 text, or as <c>{"b64": …}</c> when <paramref name="base64Strings"/> is set.
    /// Non-finite floats are written as bare <c>NaN</c>/<c>Infinity</c> tokens, which TF Serving accepts.
    /// </summary>
    public static void WriteNested(Utf8JsonWriter writer, ClientTensor tensor, bool base64Strings)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(tensor);
        long index = 0;
        WriteLevel(writer, tensor, 0, ref index, base64Strings);
    }

    /// <summary>Writes the elements as one flat array (the KServe JSON form).</summary>
    public static void WriteFlat(Utf8JsonWriter writer, ClientTensor tensor)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(tensor);
        writer.WriteStartArray();
        for (long i = 0; i < tensor.ElementCount; i++)
        {
            WriteElement(writer, tensor, i, base64Strings: false);
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// Reads a JSON value (nested arrays or a scalar) into a tensor of the given type. When
    /// <paramref name="shape"/> is null, the shape is taken from the nesting; otherwise the value may be
    /// flat or nested and must hold exactly as many elements as the shape.
    /// </summary>
    /// <exception cref="FormatException">The JSON does not fit the type or shape; the message names the tensor.</exception>
    public static ClientTensor Read(string name, TensorDataType type, JsonElement value, long[]? shape = null)
    {
        var elements = new List<JsonElement>();
        var nestedShape = new List<long>();
        Flatten(name, value, 0, nestedShape, elements);
        shape ??= [.. nestedShape];
        if (ClientTensor.ElementCountOf(shape) != elements.Count)
        {
            throw new FormatException($"Tensor '{name}': shape [{string.Join(", ", shape)}] needs {ClientTensor.ElementCountOf(shape)} elements, the JSON has {elements.Count}.");
        }

        if (type == TensorDataType.String)
        {
            return new ClientTensor(name, shape, elements.Select(e => ReadString(name, e)).ToArray());
        }

        var data = new byte[elements.Count * TensorDataTypes.SizeOf(type)];
        for (var i = 0; i < elements.Count; i++)
        {
            TensorElements.Write(type, data, i, ReadNumber(name, elements[i]));
        }

        return new ClientTensor(name, type, shape, data);
    }

    private static void WriteLevel(Utf8JsonWriter writer, ClientTensor tensor, int axis, ref long index, bool base64Strings)
    {
        if (axis == tensor.Shape.Length)
        {
            WriteElement(writer, tensor, index++, base64Strings);
            return;
        }

        writer.WriteStartArray();
        for (long i = 0; i < tensor.Shape[axis]; i++)
        {
            WriteLevel(writer, tensor, axis + 1, ref index, base64Strings);
        }

        writer.WriteEndArray();
    }

    private static void WriteElement(Utf8JsonWriter writer, ClientTensor tensor, long index, bool base64Strings)
    {
        switch (tensor.DataType)
        {
            case TensorDataType.String:
                var bytes = tensor.Strings![(int)index];
                if (base64Strings)
                {
                    writer.WriteStartObject();
                    writer.WriteBase64String("b64", bytes);
                    writer.WriteEndObject();
                }
                else
                {
                    writer.WriteStringValue(Encoding.UTF8.GetString(bytes));
                }

                break;
            case TensorDataType.Bool:
                writer.WriteBooleanValue(tensor.Data[index] != 0);
                break;
            default:
                writer.WriteRawValue(TensorElements.Format(tensor.DataType, tensor.Data, index), skipInputValidation: true);
                break;
        }
    }

    private static void Flatten(string name, JsonElement value, int depth, List<long> shape, List<JsonElement> elements)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            elements.Add(value);
            return;
        }

        var length = value.GetArrayLength();
        if (shape.Count == depth)
        {
            shape.Add(length);
        }
        else if (shape[depth] != length)
        {
            throw new FormatException($"Tensor '{name}': ragged nested arrays (dimension {depth} has both {shape[depth]} and {length} elements).");
        }

        foreach (var item in value.EnumerateArray())
        {
            Flatten(name, item, depth + 1, shape, elements);
        }
    }

    private static double ReadNumber(string name, JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Number => element.GetDouble(),
        JsonValueKind.True => 1,
        JsonValueKind.False => 0,
        JsonValueKind.String when double.TryParse(element.GetString(), System.Globalization.CultureInfo.InvariantCulture, out var parsed) => parsed,
        _ => throw new FormatException($"Tensor '{name}': expected a number, got {element.ValueKind}."),
    };

    private static byte[] ReadString(string name, JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.String)
        {
            return Encoding.UTF8.GetBytes(element.GetString()!);
        }

        if (element.ValueKind == JsonValueKind.Object && element.TryGetProperty("b64", out var b64))
        {
            return b64.GetBytesFromBase64();
        }

        throw new FormatException($"Tensor '{name}': expected a string or {{\"b64\": …}}, got {element.ValueKind}.");
    }
}
