using System.CommandLine;
using Mantle.Attestation;
using Mantle.Attestation.Policy;
using Mantle.Attestation.RaTls;

namespace Mantle.Cli.Commands.Attestation;

/// <summary><c>mantle attest ratls</c>: verifies an RA-TLS certificate (evidence, key bindings, optional policy).</summary>
internal static class AttestRaTlsCommand
{
    public static Command Create()
    {
        var cert = new Option<string>("--cert", "-c") { Description = "The RA-TLS certificate, PEM or DER.", Required = true };
        var options = new VerifierOptions();
        var command = new Command("ratls", "Verify an RA-TLS certificate: its evidence, the binding to its key, and a policy.") { cert };
        options.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var json = parse.GetValue(options.Json);
            AttestationClaims? claims = null;
            PolicyDecision? decision = null;
            try
            {
                var bytes = AttestationCli.ReadFile(parse.GetValue(cert)!, "--cert");
                var policy = options.LoadPolicy(parse);
                using var certificate = RaTlsVerifier.LoadCertificate(bytes);
                var verifier = new RaTlsVerifier(options.CreateVerifier(parse, requireCollateral: parse.GetValue(options.Collateral) is not null), options.Time(parse));
                var result = policy is null
                    ? await verifier.VerifyAsync(certificate, cancellationToken)
                    : await verifier.VerifyAsync(certificate, policy, cancellationToken);
                claims = result.Claims;
                decision = result.Decision;
                if (!result.Allowed)
                {
                    return AttestVerifyCommand.Refused(json, claims, decision, $"The certificate's evidence is authentic but {decision!.Reason}.", nameof(AttestationErrorCode.PolicyViolation), ExitCodes.VerificationFailed);
                }

                if (json)
                {
                    AttestationCli.WriteJson(true, claims, decision, null, null, writer =>
                    {
                        writer.WriteStartObject("ratls");
                        writer.WriteString("pubkey_hash", result.PublicKeyHash);
                        writer.WriteBoolean("evidence_extension", result.HasEvidenceExtension);
                        writer.WriteBoolean("legacy_extension", result.HasLegacyExtension);
                        writer.WriteEndObject();
                    });
                }
                else
                {
                    var extensions = string.Join(" and ", new[] { result.HasEvidenceExtension ? "2.23.133.5.4.9" : null, result.HasLegacyExtension ? "legacy quote" : null }.OfType<string>());
                    AttestationCli.WriteClaims($"verified RA-TLS certificate ({extensions}) for key {result.PublicKeyHash}", claims);
                }

                return ExitCodes.Success;
            }
            catch (Exception ex) when (ex is UsageException or ArgumentException)
            {
                return AttestVerifyCommand.Refused(json, claims, decision, ex.Message, "UsageError", ExitCodes.UsageError);
            }
            catch (AttestationException ex)
            {
                return AttestVerifyCommand.Refused(json, claims, decision, ex.Message, ex.Code.ToString(), AttestationCli.ExitCodeFor(ex));
            }
        });
        return command;
    }
}
