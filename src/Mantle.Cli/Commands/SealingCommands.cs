using System.CommandLine;
using Mantle.Cli.Commands.Sealing;

namespace Mantle.Cli.Commands;

/// <summary>Adds the sealing commands to the root command: keys, seal, unseal, inspect, certs.</summary>
internal static class SealingCommands
{
    public static void Register(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);

        var signing = new Command("signing", "Owner signing keys (ECDSA P-384) for manifests.");
        signing.Subcommands.Add(SigningKeyCreateCommand.Create());
        var keys = new Command("keys", "Model keys and owner signing keys.");
        keys.Subcommands.Add(KeysCreateCommand.Create());
        keys.Subcommands.Add(signing);
        root.Subcommands.Add(keys);

        root.Subcommands.Add(SealCommand.Create());
        root.Subcommands.Add(UnsealCommand.Create());
        root.Subcommands.Add(InspectCommand.Create());

        var certs = new Command("certs", "TLS material for servers and clients.");
        certs.Subcommands.Add(CertsCreateCommand.Create());
        root.Subcommands.Add(certs);
    }
}
