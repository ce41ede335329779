using System.CommandLine;
using Mantle.Cli.CommandLine;
using Mantle.Cli.Commands.Client;
using Spectre.Console;

namespace Mantle.Cli.Commands.Demo;

/// <summary>
/// <c>mantle demo</c>: the whole confidential flow on this machine with the simulated TEE, in a fresh work folder, then
/// one summary. <c>--keep</c> leaves the broker and the server running until Ctrl+C and shows how to call them.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var dir = new Option<string?>("--dir") { Description = "The work folder (created; kept afterwards). Default: a new temporary folder, removed at the end.", HelpName = "DIR" }.OutputFolder();
        var model = new Option<string?>("--model") { Description = "The ONNX model to seal and serve. Default: the ResNet-18 that builds of mantle carry.", HelpName = "FILE.onnx" }.InputFile();
        var keep = new Option<bool>("--keep") { Description = "Leave the broker and the server running until Ctrl+C, and print how to call them with curl and mantle." };
        var requests = new Option<int>("--bench-requests") { Description = "Requests per protocol in the benchmark.", DefaultValueFactory = _ => 100 }.Range(1, int.MaxValue);
        var json = new Option<bool>("--json") { Description = "Print the summary as one JSON document on standard output." };
        var command = new Command("demo", "Run the whole confidential flow on this machine with the simulated TEE: seal, broker, attested server with mutual TLS, verify, classify, benchmark.")
        {
            dir, model, keep, requests, json,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(dir), parse.GetValue(model), parse.GetValue(keep), parse.GetValue(requests), parse.GetValue(json), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(string? dir, string? model, bool keep, int requests, bool json, CancellationToken cancellationToken)
    {
        var console = StderrConsole.Instance;
        var folder = dir is null ? Directory.CreateTempSubdirectory("mantle-demo-").FullName : Path.GetFullPath(dir);
        if (dir is not null && Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any())
        {
            throw new CliException(new CliError(CliErrorCodes.FileUnusable, $"--dir {folder} is not empty; give a new or empty folder (the demo creates keys and a broker there).")
            {
                Option = "--dir",
                Path = folder,
            });
        }

        var modelPath = Path.GetFullPath(model ?? Path.Combine(AppContext.BaseDirectory, "DnnImageModels", "ResNet18Onnx", "ResNet18.onnx"));
        var options = new DemoOptions(folder, modelPath, requests, TimeSpan.FromSeconds(5));
        console.MarkupLine("[bold]Mantle demo[/]: the confidential flow on this machine, with the simulated TEE [yellow](no security: development only)[/]");
        console.MarkupLine($"work folder {Markup.Escape(folder)}");
        var run = new DemoRun(options, step => console.MarkupLine($"[grey]…[/] {Markup.Escape(step)}"));
        try
        {
            await run.RunAsync(cancellationToken);

            if (json)
            {
                Console.WriteLine(DemoReport.Json(run.Result));
            }
            else
            {
                DemoReport.Write(console, run.Result);
            }

            if (keep)
            {
                DemoReport.WriteHowToCall(console, run);
                try
                {
                    await Task.Delay(Timeout.Infinite, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                }
            }

            return ExitCodes.Success;
        }
        finally
        {
            await run.DisposeAsync();
            if (dir is null)
            {
                TryDelete(folder);
            }
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"Could not remove {folder}: {ex.Message}");
        }
    }
}
