using System.Text.Json;
using Mantle.Client.Inference;
using Mantle.Client.Tensors;

namespace Mantle.Cli.Commands.Client;

/// <summary>
/// Reads request tensors for <c>mantle infer</c>: <c>NAME=FILE.npy</c> (or a bare <c>FILE.npy</c> for a
/// model with one input), or one JSON file in either REST form: <c>{"inputs": {"x": [[…]]}}</c> (TF Serving
/// columnar) or <c>{"inputs": [{"name": "x", "shape": […], "datatype": "FP32", "data": […]}]}</c> (KServe).
/// </summary>
internal static class InputFiles
{
    public static List<ClientTensor> Read(IReadOnlyList<string> specs, ModelDescription model)
    {
        if (specs.Count == 1 && specs[0].EndsWith(".json", StringComparison.OrdinalIgnoreCase) && !specs[0].Contains('=', StringComparison.Ordinal))
        {
            return ReadJson(specs[0], model);
        }

        var tensors = new List<ClientTensor>();
        foreach (var spec in specs)
        {
            var equals = spec.IndexOf('=', StringComparison.Ordinal);
            string name, path;
            if (equals > 0)
            {
                (name, path) = (spec[..equals], spec[(equals + 1)..]);
            }
            else if (model.Inputs.Count == 1)
            {
                (name, path) = (model.Inputs[0].Name, spec);
            }
            else
            {
                throw new ArgumentException($"--input '{spec}': the model has {model.Inputs.Count} inputs ({string.Join(", ", model.Inputs.Select(i => i.Name))}); write NAME=FILE.npy.");
            }

            if (!File.Exists(path))
            {
                throw new ArgumentException($"--input file '{path}' does not exist.");
            }

            try
            {
                tensors.Add(NpyFile.Read(name, File.ReadAllBytes(path)));
            }
            catch (FormatException error)
            {
                throw new ArgumentException($"--input '{path}': {error.Message}", error);
            }
        }

        return tensors;
    }

    private static List<ClientTensor> ReadJson(string path, ModelDescription model)
    {
        if (!File.Exists(path))
        {
            throw new ArgumentException($"--input file '{path}' does not exist.");
        }

        try
        {
            using var document = JsonDocument.Parse(NonFiniteJson.Quote(File.ReadAllBytes(path)));
            if (!document.RootElement.TryGetProperty("inputs", out var inputs))
            {
                throw new ArgumentException($"--input '{path}': expected a JSON object with \"inputs\".");
            }

            var tensors = new List<ClientTensor>();
            if (inputs.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in inputs.EnumerateObject())
                {
                    tensors.Add(JsonTensors.Read(property.Name, TypeOf(model, property.Name), property.Value));
                }
            }
            else if (inputs.ValueKind == JsonValueKind.Array)
            {
                foreach (var input in inputs.EnumerateArray())
                {
                    var name = input.GetProperty("name").GetString() ?? "";
                    var datatype = input.TryGetProperty("datatype", out var d) ? d.GetString() : null;
                    var type = datatype is null ? TypeOf(model, name)
                        : TensorDataTypes.TryParse(datatype, out var parsed) ? parsed.Value
                        : throw new ArgumentException($"--input '{path}': input '{name}' has unknown datatype '{datatype}'.");
                    long[]? shape = input.TryGetProperty("shape", out var s) ? s.EnumerateArray().Select(x => x.GetInt64()).ToArray() : null;
                    tensors.Add(JsonTensors.Read(name, type, input.GetProperty("data"), shape));
                }
            }
            else if (model.Inputs.Count == 1)
            {
                tensors.Add(JsonTensors.Read(model.Inputs[0].Name, model.Inputs[0].DataType, inputs));
            }

            return tensors;
        }
        catch (Exception error) when (error is JsonException or FormatException or KeyNotFoundException or InvalidOperationException or OverflowException)
        {
            throw new ArgumentException($"--input '{path}': {error.Message}", error);
        }
    }

    private static TensorDataType TypeOf(ModelDescription model, string name) =>
        model.Inputs.FirstOrDefault(i => i.Name == name)?.DataType
        ?? throw new ArgumentException($"The model has no input '{name}'; its inputs are {string.Join(", ", model.Inputs.Select(i => i.Name))}.");
}
