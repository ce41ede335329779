using System.CommandLine;
using Mantle.Cli.Commands;

namespace Mantle.Cli.CommandLine;

/// <summary>The <c>mantle</c> command tree, every action guarded (<see cref="GuardedAction"/>).</summary>
internal static class MantleCommandLine
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Mantle: confidential model serving. Seal models, release keys only to attested servers, serve them over TF Serving and KServe APIs.");
        ServingCommands.Register(root);
        ClientCommands.Register(root);
        SealingCommands.Register(root);
        AttestationCommands.Register(root);
        BrokerCommands.Register(root);
        CommandRunner.Guard(root);
        return root;
    }
}
