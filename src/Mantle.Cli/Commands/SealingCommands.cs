using System.CommandLine;

namespace Mantle.Cli.Commands;

/// <summary>Adds the sealing commands to the root command.</summary>
internal static class SealingCommands
{
    public static void Register(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
    }
}
