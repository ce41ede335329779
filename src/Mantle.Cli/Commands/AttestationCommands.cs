using System.CommandLine;

namespace Mantle.Cli.Commands;

/// <summary>Adds the attestation commands to the root command.</summary>
internal static class AttestationCommands
{
    public static void Register(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
    }
}
