using System.CommandLine;
using Mantle.Cli.Commands.Attestation;

namespace Mantle.Cli.Commands;

/// <summary>Adds the attestation commands to the root command: <c>mantle attest …</c> and <c>mantle policy …</c>.</summary>
internal static class AttestationCommands
{
    public static void Register(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        root.Add(new Command("attest", "Obtain and verify TEE evidence and RA-TLS certificates.")
        {
            AttestEvidenceCommand.Create(),
            AttestVerifyCommand.Create(),
            AttestRaTlsCommand.Create(),
            AttestRaTlsCertCommand.Create(),
        });
        root.Add(new Command("policy", "Write attestation policies from a build, a known-good evidence or an SGX SIGSTRUCT, and sign them as an auditor.")
        {
            MeasureCommand.CreatePolicyFromBuild(),
            PolicyFromEvidenceCommand.Create(),
            PolicyFromSigStructCommand.Create(),
            PolicyKeygenCommand.Create(),
            PolicySignCommand.Create(),
        });
        root.Add(MeasureCommand.CreateMeasure());
    }
}
