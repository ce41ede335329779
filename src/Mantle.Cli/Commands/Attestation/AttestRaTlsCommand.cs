using System.CommandLine;
using Mantle.Attestation.RaTls;
using Mantle.Cli.CommandLine;

namespace Mantle.Cli.Commands.Attestation;

/// <summary><c>mantle attest ratls</c>: verifies an RA-TLS certificate (evidence, key bindings, optional policy).</summary>
internal static class AttestRaTlsCommand
{
    public static Command Create()
    {
        var cert = new Option<string>("--cert", "-c") { Description = "The RA-TLS certificate, PEM or DER.", Required = true }.InputFile();
        var options = new VerifierOptions();
        var command = new Command("ratls", "Verify an RA-TLS certificate: its evidence, the binding to its key, and a policy.") { cert };
        options.AddTo(command);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var bytes = OptionFiles.ReadAllBytes(parse.GetValue(cert)!, "--cert");
            var policy = options.LoadPolicy(parse);
            using var certificate = RaTlsVerifier.LoadCertificate(bytes);
            var verifier = new RaTlsVerifier(options.CreateVerifier(parse, requireCollateral: parse.GetValue(options.Collateral) is not null), options.Time(parse));
            var result = await AttestationCli.VerifyAsync(() => policy is null
                ? verifier.VerifyAsync(certificate, cancellationToken)
                : verifier.VerifyAsync(certificate, policy, cancellationToken));
            if (!result.Allowed)
            {
                throw AttestVerifyCommand.PolicyRefusal($"The certificate's evidence is authentic but {result.Decision!.Reason}.", result.Claims, result.Decision);
            }

            if (parse.GetValue(options.Json))
            {
                AttestationCli.WriteJson(result.Claims, result.Decision, writer =>
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
                AttestationCli.WriteClaims($"verified RA-TLS certificate ({extensions}) for key {result.PublicKeyHash}", result.Claims);
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
