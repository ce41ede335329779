using System.CommandLine;
using System.Text;
using System.Text.Json;
using Mantle.Cli.CommandLine;
using Mantle.Client.Inference;
using Mantle.Client.Tensors;
using Spectre.Console;

namespace Mantle.Cli.Commands.Client;

/// <summary><c>mantle infer</c>: sends one request over any of the four APIs and prints the outputs.</summary>
internal static class InferCommand
{
    private const int PreviewElements = 8;

    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = ServerAddress.UrlDescription, DefaultValueFactory = _ => "127.0.0.1" }.ServerAddress();
        var model = new Option<string>("--model", "--model_name") { Description = "The model name.", Required = true };
        var protocol = new Option<string>("--protocol") { Description = $"The API: {ServerAddress.ProtocolNames}.", DefaultValueFactory = _ => "tfs-grpc" };
        var input = new Option<string[]>("--input") { Description = "Input data: NAME=FILE.npy (repeatable; a bare FILE.npy for a one-input model) or one JSON file. Without it: random data of the model's shape.", AllowMultipleArgumentsPerToken = false }.InputFileSpec();
        var batch = new Option<int>("--batch") { Description = "With random data: the size of the first dynamic dimension.", DefaultValueFactory = _ => 1 }.Range(1, int.MaxValue);
        var save = new Option<string?>("--save") { Description = "Also write each output to DIR/NAME.npy." }.OutputFolder();
        var json = new Option<bool>("--json") { Description = "Print the outputs as one JSON object on standard output." };

        var trust = new TrustOptions();
        var command = new Command("infer", "Send one inference request and print the outputs. With trust options (or an https:// URL) the server is verified in the TLS handshake before the request is sent.") { url, model, protocol, input, batch, save, json };
        trust.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!ServerAddress.TryParseProtocol(parse.GetValue(protocol), out var api))
            {
                throw new ArgumentException($"--protocol '{parse.GetValue(protocol)}' is not one of {ServerAddress.ProtocolNames}.");
            }

            var name = parse.GetValue(model)!;
            var uri = trust.Resolve(parse, parse.GetValue(url)!, api);
            CommandScope.TalkingTo(uri, "the server");
            using var client = InferenceClients.Create(api, uri, trust.CreateHandler(parse, uri));
            var description = await client.GetModelAsync(name, cancellationToken).ConfigureAwait(false);
            var files = parse.GetValue(input) ?? [];
            var inputs = files.Length > 0
                ? InputFiles.Read(files, description)
                : BenchCommand.CreateInputs(description, parse.GetValue(batch), new Random(1));
            var outputs = await client.InferAsync(name, inputs, cancellationToken).ConfigureAwait(false);

            if (parse.GetValue(save) is { } dir)
            {
                await OptionFiles.WriteAsync(dir, "--save", async () =>
                {
                    Directory.CreateDirectory(dir);
                    foreach (var output in outputs.Where(o => o.DataType != TensorDataType.String))
                    {
                        await File.WriteAllBytesAsync(Path.Combine(dir, SafeFileName(output.Name) + ".npy"), NpyFile.Write(output), cancellationToken).ConfigureAwait(false);
                    }
                }).ConfigureAwait(false);
            }

            if (parse.GetValue(json))
            {
                WriteJson(name, description.Version, outputs);
            }
            else
            {
                WriteTable(StderrConsole.Instance, name, uri, parse.GetValue(protocol)!, outputs);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static void WriteTable(IAnsiConsole console, string model, Uri uri, string protocol, IReadOnlyList<ClientTensor> outputs)
    {
        var table = new Table().AddColumns("output", "type", "shape", "values");
        table.Title = new TableTitle(Markup.Escape($"{model} at {uri} ({protocol})"));
        foreach (var output in outputs)
        {
            table.AddRow(
                Markup.Escape(output.Name),
                TensorDataTypes.ToKServeName(output.DataType),
                Markup.Escape("[" + string.Join(", ", output.Shape) + "]"),
                Markup.Escape(Preview(output)));
        }

        console.Write(table);
    }

    private static string Preview(ClientTensor tensor)
    {
        var count = Math.Min(tensor.ElementCount, PreviewElements);
        var items = new List<string>();
        for (var i = 0; i < count; i++)
        {
            items.Add(tensor.DataType == TensorDataType.String
                ? JsonSerializer.Serialize(Encoding.UTF8.GetString(tensor.Strings![i]))
                : TensorElements.Format(tensor.DataType, tensor.Data, i));
        }

        var more = tensor.ElementCount > count ? $", … ({tensor.ElementCount} values)" : "";
        return string.Join(", ", items) + more;
    }

    private static void WriteJson(string model, string? version, IReadOnlyList<ClientTensor> outputs)
    {
        using var stream = Console.OpenStandardOutput();
        using var writer = new Utf8JsonWriter(stream);
        writer.WriteStartObject();
        writer.WriteString("model", model);
        if (version is not null)
        {
            writer.WriteString("version", version);
        }

        writer.WriteStartArray("outputs");
        foreach (var output in outputs)
        {
            writer.WriteStartObject();
            writer.WriteString("name", output.Name);
            writer.WriteString("datatype", TensorDataTypes.ToKServeName(output.DataType));
            writer.WriteStartArray("shape");
            foreach (var dim in output.Shape)
            {
                writer.WriteNumberValue(dim);
            }

            writer.WriteEndArray();
            writer.WritePropertyName("data");
            JsonTensors.WriteFlat(writer, output);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.Flush();
        stream.WriteByte((byte)'\n');
    }

    private static string SafeFileName(string name) =>
        string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
}
