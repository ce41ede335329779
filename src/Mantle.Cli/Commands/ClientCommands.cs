using System.CommandLine;
using Mantle.Cli.Commands.Client;

namespace Mantle.Cli.Commands;

/// <summary>Adds the requester's commands: <c>verify</c>, <c>infer</c>, <c>bench</c> and <c>classify</c>.</summary>
internal static class ClientCommands
{
    public static void Register(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        root.Subcommands.Add(VerifyCommand.Create());
        root.Subcommands.Add(InferCommand.Create());
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(ClassifyCommand.Create());
        root.Subcommands.Add(Demo.DemoCommand.Create());
    }
}
