using System.CommandLine;
using System.CommandLine.Invocation;

namespace Mantle.Cli.CommandLine;

/// <summary>Parses and runs a command line: parse errors and failures of every command are reported the same way.</summary>
internal static class CommandRunner
{
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        ArgumentNullException.ThrowIfNull(root);
        ParseResult? parse = null;
        try
        {
            parse = root.Parse(args);
            if (parse.Action is ParseErrorAction)
            {
                var usage = ParseErrors.Describe(parse);
                ErrorOutput.Write(usage, ParseErrors.WantsJson(parse));
                return usage.ExitCode;
            }

            // SIGTERM/Ctrl+C cancel the running command, which then drains: mantle serve and mantle broker serve finish
            // in-flight requests. System.CommandLine's default grace of 2 s killed a busy server mid-drain (exit 143);
            // 30 s is the ASP.NET Core host's own drain limit and Kubernetes' default termination grace period.
            var invocation = new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(30), EnableDefaultExceptionHandler = false };
            return await parse.InvokeAsync(invocation).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            // Only what fails outside a command's action (GuardedAction reports the rest) ends here.
            var reported = CliErrors.From(error, parse);
            ErrorOutput.Write(reported, parse is not null && ParseErrors.WantsJson(parse), error);
            return reported.ExitCode;
        }
    }

    /// <summary>Puts every action of <paramref name="command"/> and its subcommands inside a <see cref="GuardedAction"/>.</summary>
    public static void Guard(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (command.Action is { } action and not GuardedAction)
        {
            command.Action = new GuardedAction(action);
        }

        foreach (var subcommand in command.Subcommands)
        {
            Guard(subcommand);
        }
    }
}
