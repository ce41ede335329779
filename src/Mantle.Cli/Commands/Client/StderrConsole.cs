using Spectre.Console;

namespace Mantle.Cli.Commands.Client;

/// <summary>Human-readable output goes to standard error, so standard output stays clean for <c>--json</c>.</summary>
internal static class StderrConsole
{
    public static IAnsiConsole Instance { get; } = AnsiConsole.Create(new AnsiConsoleSettings
    {
        Out = new AnsiConsoleOutput(Console.Error),
    });
}
