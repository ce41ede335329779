using System.CommandLine;
using System.CommandLine.Help;
using Mantle.Cli.CommandLine;

namespace Mantle.Cli.Tests.Walk;

/// <summary>One command of the <c>mantle</c> tree, as the walk sees it.</summary>
internal sealed class CliCommand
{
    private CliCommand(Command command, string[] path)
    {
        Command = command;
        Path = path;
    }

    public Command Command { get; }

    /// <summary>The words after <c>mantle</c>: ["broker", "keys", "put"].</summary>
    public string[] Path { get; }

    public string Name => string.Join(' ', ["mantle", .. Path]);

    /// <summary>The options a user can give (help and version left out).</summary>
    public IReadOnlyList<Option> Options => Command.Options.Where(option => option is not (HelpOption or VersionOption) && !option.Hidden).ToList();

    public bool HasJson => Options.Any(option => option.Name == "--json");

    /// <summary>Options and arguments whose value names a file, a folder, a server or a broker.</summary>
    public IReadOnlyList<(Symbol Symbol, OptionRole Role)> Roles =>
        Options.Cast<Symbol>().Concat(Command.Arguments).Select(symbol => (symbol, OptionRoles.Of(symbol))).Where(pair => pair.Item2 is not null)
            .Select(pair => (pair.symbol, pair.Item2!.Value)).ToList();

    public bool IsRunnable => Command.Action is not null;

    /// <summary>Every command of the tree <see cref="MantleCommandLine.Create"/> builds, the root first.</summary>
    public static IReadOnlyList<CliCommand> All()
    {
        var all = new List<CliCommand>();
        Visit(MantleCommandLine.Create(), []);
        return all;

        void Visit(Command command, string[] path)
        {
            all.Add(new CliCommand(command, path));
            foreach (var subcommand in command.Subcommands.Where(subcommand => !subcommand.Hidden))
            {
                Visit(subcommand, [.. path, subcommand.Name]);
            }
        }
    }

    public override string ToString() => Name;
}
