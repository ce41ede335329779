using System.CommandLine;
using Mantle.Cli.Commands.Broker;

namespace Mantle.Cli.Commands;

/// <summary>Adds the broker commands to the root command.</summary>
internal static class BrokerCommands
{
    public static void Register(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        var broker = new Command("broker", "The key broker: releases keys and certificates only to attested servers.");
        broker.Subcommands.Add(BrokerInitCommand.Create());
        broker.Subcommands.Add(BrokerServeCommand.Create());
        broker.Subcommands.Add(BrokerResourceCommand.Create());
        broker.Subcommands.Add(BrokerPolicyCommand.Create());
        broker.Subcommands.Add(BrokerAuditCommand.Create());
        broker.Subcommands.Add(BrokerKeysCommand.Create());
        broker.Subcommands.Add(BrokerFetchCommand.Create());
        root.Subcommands.Add(broker);
    }
}
