using System.CommandLine;
using System.CommandLine.Invocation;
using System.Runtime.InteropServices;

namespace Mantle.Cli.CommandLine;

/// <summary>Parses and runs a command line: parse errors and failures of every command are reported the same way.</summary>
internal static class CommandRunner
{
    public static async Task<int> RunAsync(RootCommand root, string[] args)
    {
        ArgumentNullException.ThrowIfNull(root);

        // System.CommandLine listens for SIGINT and SIGTERM only once a command's action has started, so a signal during
        // its first steps (a connection already open) killed the process without a word (exit 143). These registrations,
        // made before anything runs, cancel the command instead; once System.CommandLine listens too, its grace applies.
        using var stop = new CancellationTokenSource();
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
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
            return await parse.InvokeAsync(invocation, stop.Token).ConfigureAwait(false);
        }
        catch (Exception error)
        {
            // Only what fails outside a command's action (GuardedAction reports the rest) ends here.
            var reported = CliErrors.From(error, parse);
            ErrorOutput.Write(reported, parse is not null && ParseErrors.WantsJson(parse), error);
            return reported.ExitCode;
        }

        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            try
            {
                stop.Cancel();
            }
            catch (ObjectDisposedException)
            {
                // System.CommandLine's handler for the same signal ran first and waited for the command to finish.
            }
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
