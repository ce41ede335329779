using System.CommandLine;
using System.CommandLine.Invocation;

namespace Mantle.Cli.CommandLine;

/// <summary>
/// Runs a command's own action after checking the files it names, and reports whatever it throws the one way
/// (<see cref="CliErrors"/>, <see cref="ErrorOutput"/>): no command prints its own errors or a stack trace.
/// </summary>
internal sealed class GuardedAction(CommandLineAction inner) : AsynchronousCommandLineAction
{
    public CommandLineAction Inner { get; } = inner;

    public override async Task<int> InvokeAsync(ParseResult parseResult, CancellationToken cancellationToken = default)
    {
        CommandScope.Begin();
        try
        {
            OptionFiles.CheckAll(parseResult);
            return Inner switch
            {
                AsynchronousCommandLineAction action => await action.InvokeAsync(parseResult, cancellationToken).ConfigureAwait(false),
                SynchronousCommandLineAction action => action.Invoke(parseResult),
                _ => throw new InvalidOperationException($"The action of '{ParseErrors.CommandPath(parseResult.CommandResult.Command)}' is neither synchronous nor asynchronous."),
            };
        }
        catch (Exception error)
        {
            var reported = error is OperationCanceledException && cancellationToken.IsCancellationRequested
                ? new CliError(CliErrorCodes.Interrupted, "interrupted (Ctrl+C or SIGTERM) before the command finished.")
                : CliErrors.From(error, parseResult);
            ErrorOutput.Write(reported, JsonRequested(parseResult), error, (error as CliException)?.JsonFields);
            return reported.ExitCode;
        }
    }

    /// <summary>True when the command has a <c>--json</c> option and it was given.</summary>
    private static bool JsonRequested(ParseResult parse) =>
        parse.CommandResult.Command.Options.OfType<Option<bool>>().FirstOrDefault(option => option.Name == "--json") is { } json && parse.GetValue(json);
}
