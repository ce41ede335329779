using System.CommandLine;
using Mantle.Attestation;
using Mantle.Attestation.Policy;

namespace Mantle.Cli.Commands.Attestation;

/// <summary><c>mantle attest verify</c>: verifies an evidence file (TEE detected from the bytes), optionally against a policy.</summary>
internal static class AttestVerifyCommand
{
    public static Command Create()
    {
        var evidence = new Option<string>("--evidence", "-e") { Description = "The evidence file (SGX/TDX quote, SNP report or envelope, sim evidence).", Required = true };
        var options = new VerifierOptions();
        var command = new Command("verify", "Verify evidence to its vendor root (and a policy). Exit 0 when verified, 3 when refused.") { evidence };
        options.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var json = parse.GetValue(options.Json);
            AttestationClaims? claims = null;
            PolicyDecision? decision = null;
            try
            {
                var bytes = AttestationCli.ReadFile(parse.GetValue(evidence)!, "--evidence");
                var policy = options.LoadPolicy(parse);
                var verifier = options.CreateVerifier(parse, requireCollateral: true);
                claims = await verifier.VerifyAsync(bytes, cancellationToken);
                decision = policy?.Evaluate(claims);
                if (decision is { Allowed: false })
                {
                    return Refused(json, claims, decision, $"The evidence is authentic but {decision.Reason}.", nameof(AttestationErrorCode.PolicyViolation), ExitCodes.VerificationFailed);
                }

                if (json)
                {
                    AttestationCli.WriteJson(true, claims, decision, null, null);
                }
                else
                {
                    AttestationCli.WriteClaims($"verified {claims.Tee.ToName()} evidence" + (decision is null ? string.Empty : " (policy: allowed)"), claims);
                }

                return ExitCodes.Success;
            }
            catch (Exception ex) when (ex is UsageException or ArgumentException)
            {
                return Refused(json, claims, decision, ex.Message, "UsageError", ExitCodes.UsageError);
            }
            catch (AttestationException ex)
            {
                return Refused(json, claims, decision, ex.Message, ex.Code.ToString(), AttestationCli.ExitCodeFor(ex));
            }
        });
        return command;
    }

    internal static int Refused(bool json, AttestationClaims? claims, PolicyDecision? decision, string message, string code, int exitCode)
    {
        if (json)
        {
            AttestationCli.WriteJson(false, claims, decision, message, code);
        }
        else
        {
            AttestationCli.WriteRefusal(message);
        }

        return exitCode;
    }
}
