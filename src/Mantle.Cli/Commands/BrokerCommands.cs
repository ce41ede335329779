using System.CommandLine;

namespace Mantle.Cli.Commands;

/// <summary>Adds the broker commands to the root command.</summary>
internal static class BrokerCommands
{
    public static void Register(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
    }
}
