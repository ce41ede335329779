using System.CommandLine;

namespace Mantle.Cli.Commands;

/// <summary>Adds the client commands to the root command.</summary>
internal static class ClientCommands
{
    public static void Register(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
    }
}
