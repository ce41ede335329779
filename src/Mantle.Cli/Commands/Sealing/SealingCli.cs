using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;

namespace Mantle.Cli.Commands.Sealing;

/// <summary>What the sealing commands share: the stderr console and the --json option.</summary>
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
}
