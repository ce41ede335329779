using System.CommandLine;
using Mantle.Attestation;
using Mantle.Cli.CommandLine;

namespace Mantle.Cli.Commands.Attestation;

/// <summary><c>mantle attest verify</c>: verifies an evidence file (TEE detected from the bytes), optionally against a policy.</summary>
internal static class AttestVerifyCommand
{
    public static Command Create()
    {
        var evidence = new Option<string>("--evidence", "-e") { Description = "The evidence file (SGX/TDX quote, SNP report or envelope, sim evidence).", Required = true }.InputFile();
        var options = new VerifierOptions();
        var command = new Command("verify", "Verify evidence to its vendor root (and a policy). Exit 0 when verified, 3 when refused.") { evidence };
        options.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var bytes = OptionFiles.ReadAllBytes(parse.GetValue(evidence)!, "--evidence");
            var policy = options.LoadPolicy(parse);
            var verifier = options.CreateVerifier(parse, requireCollateral: true);
            var claims = await AttestationCli.VerifyAsync(() => verifier.VerifyAsync(bytes, cancellationToken));
            var decision = policy?.Evaluate(claims);
            if (decision is { Allowed: false })
            {
                throw PolicyRefusal($"The evidence is authentic but {decision.Reason}.", claims, decision);
            }

            if (parse.GetValue(options.Json))
            {
                AttestationCli.WriteJson(claims, decision);
            }
            else
            {
                AttestationCli.WriteClaims($"verified {claims.Tee.ToName()} evidence" + (decision is null ? string.Empty : " (policy: allowed)"), claims);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Authentic evidence that the policy refused; the <c>--json</c> document keeps the claims and the failures.</summary>
    internal static CliException PolicyRefusal(string message, AttestationClaims claims, Mantle.Attestation.Policy.PolicyDecision decision, Action<System.Text.Json.Utf8JsonWriter>? extra = null) =>
        AttestationCli.Refusal(new CliError(CliErrorCodes.Refused, message) { DetailCode = nameof(AttestationErrorCode.PolicyViolation) }, claims, decision, extra);
}
