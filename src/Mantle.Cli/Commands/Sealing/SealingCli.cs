using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Mantle.Sealing;
using Spectre.Console;

namespace Mantle.Cli.Commands.Sealing;

/// <summary>What the sealing commands share: the stderr console, the --json option and how refusals map to exit codes.</summary>
internal static class SealingCli
{
    public static IAnsiConsole Stderr { get; } = CreateStderr();

    public static Option<bool> JsonOption() => new("--json") { Description = "Write the result as JSON to stdout (for scripts)." };

    public static void WriteJson(Action<Utf8JsonWriter> write)
    {
        using var stdout = Console.OpenStandardOutput();
        using (var writer = new Utf8JsonWriter(stdout, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(writer);
        }

        stdout.Write("\n"u8);
    }

    /// <summary>Runs a command body; a refusal becomes a clear message on stderr (and JSON on stdout) and an exit code.</summary>
    public static async Task<int> RunAsync(ParseResult parseResult, Option<bool> json, Func<bool, Task<int>> body)
    {
        var asJson = parseResult.GetValue(json);
        try
        {
            return await body(asJson).ConfigureAwait(false);
        }
        catch (SealingException error)
        {
            return Fail(asJson, error.Code.ToString(), error.Message, ExitCodeFor(error.Code));
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            return Fail(asJson, "IOError", error.Message, ExitCodes.Failure);
        }
        catch (ArgumentException error)
        {
            return Fail(asJson, "UsageError", error.Message, ExitCodes.UsageError);
        }
    }

    public static int ExitCodeFor(SealingErrorCode code) => code switch
    {
        SealingErrorCode.InvalidKey or SealingErrorCode.KeyNotFound or SealingErrorCode.InvalidSigningKey or SealingErrorCode.PrivateKeyGiven
            or SealingErrorCode.OutputExists or SealingErrorCode.InvalidPath or SealingErrorCode.ManifestMissing
            or SealingErrorCode.TooLarge => ExitCodes.UsageError,
        _ => ExitCodes.VerificationFailed,
    };

    private static IAnsiConsole CreateStderr()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        if (Console.IsErrorRedirected)
        {
            // Logs and scripts read whole lines; do not wrap at a guessed terminal width.
            console.Profile.Width = 4096;
        }

        return console;
    }

    private static int Fail(bool asJson, string code, string message, int exitCode)
    {
        Stderr.MarkupLineInterpolated($"[red]error[/] ({code}): {message}");
        if (asJson)
        {
            WriteJson(writer =>
            {
                writer.WriteStartObject();
                writer.WriteStartObject("error");
                writer.WriteString("code", code);
                writer.WriteString("message", message);
                writer.WriteEndObject();
                writer.WriteEndObject();
            });
        }

        return exitCode;
    }
}
