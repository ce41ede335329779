using System.CommandLine;
using Mantle.Cli.Commands.Serving;

namespace Mantle.Cli.Commands;

/// <summary>Adds the serving commands to the root command.</summary>
internal static class ServingCommands
{
    public static void Register(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        root.Subcommands.Add(ServeCommand.Create());
    }
}
