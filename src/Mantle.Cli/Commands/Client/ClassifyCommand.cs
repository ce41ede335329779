using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Mantle.Cli.CommandLine;
using Mantle.Cli.Commands.Attestation;
using Mantle.Client.Images;
using Mantle.Client.Inference;
using Mantle.Client.Tensors;
using Spectre.Console;

namespace Mantle.Cli.Commands.Client;

/// <summary>
/// <c>mantle classify</c>: decodes and preprocesses an image (SkiaSharp), sends it to an image model over any of the four
/// APIs and prints the top classes with their scores, like Triton's image_client and TF Serving's ResNet client.
/// </summary>
internal static class ClassifyCommand
{
    public static Command Create()
    {
        var url = new Option<string>("--url") { Description = ServerAddress.UrlDescription, DefaultValueFactory = _ => "127.0.0.1" }.ServerAddress();
        var model = new Option<string>("--model", "--model_name") { Description = "The model name.", Required = true };
        var image = new Option<string>("--image") { Description = "The image file (PNG, JPEG, WebP, GIF, BMP).", Required = true }.InputFile();
        var labels = new Option<string?>("--labels") { Description = "Class names, one per line: line i names output index i. Without it the index is printed." }.InputFile();
        var top = new Option<int>("--top") { Description = "How many classes to print.", DefaultValueFactory = _ => 5 };
        var protocol = new Option<string>("--protocol") { Description = $"The API: {ServerAddress.ProtocolNames}.", DefaultValueFactory = _ => "tfs-grpc" };
        var resize = new Option<string>("--resize") { Description = "center-crop (shorter side to 256/224 of the input size, then the centre) or stretch (straight to the input size).", DefaultValueFactory = _ => "center-crop" };
        var json = new Option<bool>("--json") { Description = "Print the classes as one JSON object on standard output." };
        var trust = new TrustOptions();
        var command = new Command("classify", "Classify an image: decode, resize, normalize (ImageNet mean and std), send, and print the top classes.") { url, model, image, labels, top, protocol, resize, json };
        trust.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            if (!ServerAddress.TryParseProtocol(parse.GetValue(protocol), out var api))
            {
                throw new ArgumentException($"--protocol '{parse.GetValue(protocol)}' is not one of {ServerAddress.ProtocolNames}.");
            }

            var k = parse.GetValue(top);
            if (k <= 0)
            {
                throw new ArgumentException($"--top must be at least 1, not {k}.");
            }

            var resizeMode = parse.GetValue(resize) switch
            {
                "center-crop" => ImageResize.CenterCrop,
                "stretch" => ImageResize.Stretch,
                var other => throw new ArgumentException($"--resize '{other}' is not center-crop or stretch."),
            };
            var names = parse.GetValue(labels) is { } labelFile ? OptionFiles.ReadAllLines(labelFile, "--labels") : null;
            var name = parse.GetValue(model)!;
            var uri = trust.Resolve(parse, parse.GetValue(url)!, api);
            CommandScope.TalkingTo(uri, "the server");
            using var client = InferenceClients.Create(api, uri, trust.CreateHandler(parse, uri));
            var description = await client.GetModelAsync(name, cancellationToken).ConfigureAwait(false);
            if (description.Inputs.Count != 1)
            {
                throw new ArgumentException($"The model '{name}' has {description.Inputs.Count} inputs ({string.Join(", ", description.Inputs.Select(i => i.Name))}); classify needs a model with one image input.");
            }

            var preprocessing = ImagePreprocessing.ForInput(description.Inputs[0]);
            preprocessing.Resize = resizeMode;
            var input = ImageTensors.FromFile(description.Inputs[0].Name, parse.GetValue(image)!, preprocessing);
            var outputs = await client.InferAsync(name, [input], cancellationToken).ConfigureAwait(false);
            var output = outputs.FirstOrDefault(o => o.DataType == TensorDataType.Float32)
                ?? throw new UsageException($"The model '{name}' returned no FP32 output to rank (outputs: {string.Join(", ", outputs.Select(o => o.Name))}); classify needs an image classifier.");
            var scores = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(output.Data);
            var classes = Classification.TopK(scores, k, names, out var softmaxApplied);
            if (parse.GetValue(json))
            {
                WriteJson(name, output, softmaxApplied, classes);
            }
            else
            {
                WriteTable(name, uri, output, softmaxApplied, classes);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static void WriteTable(string model, Uri uri, ClientTensor output, bool softmaxApplied, IReadOnlyList<ClassScore> classes)
    {
        var console = StderrConsole.Instance;
        console.WriteLine($"{model} at {uri}: output '{output.Name}' [{string.Join(", ", output.Shape)}]{(softmaxApplied ? ", softmax applied" : string.Empty)}");
        var table = new Table().AddColumns("rank", "index", "label", "score");
        for (var i = 0; i < classes.Count; i++)
        {
            table.AddRow(
                (i + 1).ToString(CultureInfo.InvariantCulture),
                classes[i].Index.ToString(CultureInfo.InvariantCulture),
                Markup.Escape(classes[i].Label ?? "-"),
                classes[i].Score.ToString("F4", CultureInfo.InvariantCulture));
        }

        console.Write(table);
    }

    private static void WriteJson(string model, ClientTensor output, bool softmaxApplied, IReadOnlyList<ClassScore> classes)
    {
        using var stream = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("model", model);
            writer.WriteString("output", output.Name);
            writer.WriteBoolean("softmax_applied", softmaxApplied);
            writer.WriteStartArray("classes");
            foreach (var item in classes)
            {
                writer.WriteStartObject();
                writer.WriteNumber("index", item.Index);
                if (item.Label is null)
                {
                    writer.WriteNull("label");
                }
                else
                {
                    writer.WriteString("label", item.Label);
                }

                writer.WriteNumber("score", item.Score);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        stream.WriteByte((byte)'\n');
    }
}
