using System.CommandLine;
using System.CommandLine.Completions;
using Mantle.Cli.CommandLine;

namespace Mantle.Cli.Tests.Walk;

/// <summary>
/// Generates the walk's command lines from the command tree: for every command, a missing (or wrong kind of) file for
/// each file option, an unreachable server for each server or broker option, and parser errors. A new command or
/// option is covered as soon as it is in the tree and its options say what their values name (<see cref="OptionRoles"/>).
/// </summary>
internal sealed class WalkCases(CliWorkspace workspace)
{
    /// <summary>
    /// What some commands need besides their required options before they contact anything: the walk gives these so
    /// that the unreachable server, not a missing option or an empty model folder, is what fails.
    /// </summary>
    private Dictionary<string, string[]> RemoteExtras => new(StringComparer.Ordinal)
    {
        ["mantle bench"] = ["--model", "m"],
        ["mantle serve"] = ["--tee", "sim", "--owner-key", workspace.OwnerPublicKey, "--model_base_path", workspace.SealedModels, "--broker-timeout", "0"],
        ["mantle broker policy set"] = ["--default"],
        ["mantle broker policy show"] = ["--default"],
    };

    /// <summary>Files whose content is read before anything is contacted: a real one of each kind.</summary>
    private Dictionary<string, string> ValidFiles => new(StringComparer.Ordinal)
    {
        ["--credential"] = workspace.Credential,
        ["--owner-key"] = workspace.OwnerPublicKey,
        ["--key"] = workspace.ModelKey,
        ["POLICY.json"] = workspace.Policy,
    };

    public static IReadOnlyList<CliCommand> Runnable => CliCommand.All().Where(command => command.IsRunnable).ToList();

    /// <summary>For each file option or argument: a path that does not exist, and one of the wrong kind.</summary>
    public IEnumerable<WalkCase> Files()
    {
        foreach (var command in Runnable)
        {
            foreach (var (symbol, role) in command.Roles)
            {
                var label = OptionRoles.Label(symbol);
                foreach (var (what, value, code) in BadPaths(role))
                {
                    var args = Arguments(command, symbol, value, remote: false);
                    yield return new WalkCase($"{command.Name} {label}: {what}", [.. args, .. Json(command)], 2, [code], command.HasJson, [label, value]);
                }
            }
        }
    }

    /// <summary>For each option that names a server or the broker: a closed port on loopback.</summary>
    public IEnumerable<WalkCase> Unreachable()
    {
        foreach (var command in Runnable)
        {
            foreach (var (symbol, role) in command.Roles.Where(pair => pair.Role is OptionRole.ServerAddress or OptionRole.BrokerAddress))
            {
                var address = role is OptionRole.ServerAddress ? workspace.ServerAddress : workspace.BrokerUrl;
                var args = Arguments(command, symbol, address, remote: true);
                var extras = RemoteExtras.GetValueOrDefault(command.Name, []);
                yield return new WalkCase($"{command.Name} {symbol.Name}: nothing listens", [.. args, .. extras, .. Json(command)], 4, [CliErrorCodes.Unreachable], command.HasJson,
                    [$"127.0.0.1:{workspace.ClosedPort}"]);
            }
        }
    }

    /// <summary>Unknown options, missing required ones, values that do not parse or are not among the choices, and groups without a command.</summary>
    public IEnumerable<WalkCase> ParserErrors()
    {
        foreach (var command in CliCommand.All())
        {
            var help = $"'{command.Name} --help'";
            if (!command.IsRunnable)
            {
                yield return new WalkCase($"{command.Name} without a command", command.Path, 2, [CliErrorCodes.Usage], false, ["needs a command", help]);
                yield return new WalkCase($"{command.Name} with an unknown command", [.. command.Path, "no-such-command", "--json"], 2, [CliErrorCodes.Usage], true, ["no-such-command", help]);
                continue;
            }

            var all = Arguments(command, null, null, remote: false);
            yield return new WalkCase($"{command.Name}: unknown option", [.. all, "--no-such-option"], 2, [CliErrorCodes.Usage], false, ["--no-such-option", help]);
            yield return new WalkCase($"{command.Name}: unknown option, --json", [.. all, "--no-such-option", "--json"], 2, [CliErrorCodes.Usage], true, ["--no-such-option", help]);
            foreach (var option in command.Options.Where(option => option.Required))
            {
                yield return new WalkCase($"{command.Name}: {option.Name} missing", [.. Arguments(command, option, null, remote: false), .. Json(command)], 2, [CliErrorCodes.Usage], command.HasJson,
                    [$"{option.Name} is required", help]);
            }

            foreach (var option in command.Options.Where(option => Expects(option) is not null))
            {
                yield return new WalkCase($"{command.Name}: {option.Name} not {Expects(option)}", [.. Arguments(command, option, "not-a-value", remote: false), .. Json(command)], 2,
                    [CliErrorCodes.Usage], command.HasJson, [option.Name, "'not-a-value'", help]);
            }
        }
    }

    /// <summary>The command's words, a value for every required option and argument, and <paramref name="value"/> for <paramref name="focus"/>.</summary>
    private List<string> Arguments(CliCommand command, Symbol? focus, string? value, bool remote)
    {
        var args = new List<string>(command.Path);
        foreach (var option in command.Options.Where(option => option.Required || option == focus))
        {
            if (option == focus)
            {
                if (value is not null)
                {
                    args.AddRange([option.Name, value]);
                }

                continue;
            }

            args.AddRange([option.Name, Sample(option, remote)]);
        }

        foreach (var argument in command.Command.Arguments.Where(argument => argument.Arity.MinimumNumberOfValues > 0))
        {
            args.Add(argument == focus ? value! : Sample(argument, remote));
        }

        return args;
    }

    /// <summary>A value that gets past the parser and the file checks.</summary>
    private string Sample(Symbol symbol, bool remote)
    {
        if (remote && ValidFiles.TryGetValue(symbol.Name, out var valid))
        {
            return valid;
        }

        switch (OptionRoles.Of(symbol))
        {
            case OptionRole.InputFolder:
                return workspace.Folder;
            case OptionRole.InputFile or OptionRole.InputPath or OptionRole.InputOrNewFile or OptionRole.InputFileSpec:
                return workspace.File;
            case OptionRole.OutputFile or OptionRole.OutputFolder:
                return workspace.NewPath("out");
            case OptionRole.ServerAddress:
                return workspace.ServerAddress;
            case OptionRole.BrokerAddress:
                return workspace.BrokerUrl;
        }

        if (symbol is Option option && Choices(option) is [var first, ..] choices)
        {
            // The simulated TEE is the one that works on any machine.
            return choices.Contains("sim") ? "sim" : first;
        }

        var type = symbol is Option typed ? typed.ValueType : ((Argument)symbol).ValueType;
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type == typeof(int) || type == typeof(long) || type == typeof(double) ? "1" : "sample";
    }

    private IEnumerable<(string What, string Value, string Code)> BadPaths(OptionRole role)
    {
        var missing = Path.Combine(workspace.NewPath("missing"), "absent");
        var underFile = Path.Combine(workspace.File, "inside");
        switch (role)
        {
            case OptionRole.InputFile or OptionRole.InputFileSpec:
                yield return ("does not exist", missing, CliErrorCodes.FileNotFound);
                yield return ("a folder for a file", workspace.Folder, CliErrorCodes.FileUnusable);
                break;
            case OptionRole.InputPath:
                yield return ("does not exist", missing, CliErrorCodes.FileNotFound);
                break;
            case OptionRole.InputFolder:
                yield return ("does not exist", missing, CliErrorCodes.FileNotFound);
                yield return ("a file for a folder", workspace.File, CliErrorCodes.FileUnusable);
                break;
            case OptionRole.InputOrNewFile or OptionRole.OutputFile:
                yield return ("in a folder that does not exist", missing, CliErrorCodes.FileNotFound);
                yield return ("a folder for a file", workspace.Folder, CliErrorCodes.FileUnusable);
                yield return ("inside a file", underFile, CliErrorCodes.FileUnusable);
                break;
            case OptionRole.OutputFolder:
                yield return ("inside a file", underFile, CliErrorCodes.FileUnusable);
                yield return ("a file for a folder", workspace.File, CliErrorCodes.FileUnusable);
                break;
        }
    }

    private static string[] Json(CliCommand command) => command.HasJson ? ["--json"] : [];

    private static List<string> Choices(Option option) =>
        option.ValueType == typeof(bool) ? [] : option.GetCompletions(CompletionContext.Empty).Select(item => item.Label).ToList();

    /// <summary>What a typed option expects ("a number"), or null for text and flags.</summary>
    private static string? Expects(Option option) => (Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType) switch
    {
        var type when type == typeof(int) || type == typeof(long) => "a whole number",
        var type when type == typeof(double) => "a number",
        _ when Choices(option).Count > 0 => "one of its choices",
        _ => null,
    };
}
