using System.CommandLine;
using System.Text;
using Mantle.Attestation;
using Mantle.Attestation.Policy;
using Spectre.Console;

namespace Mantle.Cli.Commands.Attestation;

/// <summary><c>mantle policy sign</c>: signs a policy file with an auditor's key (JWS ES384).</summary>
internal static class PolicySignCommand
{
    public static Command Create()
    {
        var policy = new Option<string>("--policy", "-p") { Description = "The policy JSON file to sign (checked first).", Required = true };
        var key = new Option<string>("--key", "-k") { Description = "The auditor's P-384 private key (PEM), as made by 'mantle policy keygen'.", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "The file to write the signed policy (compact JWS) to.", Required = true };
        var command = new Command("sign", "Sign an attestation policy as an auditor (JWS, ES384).") { policy, key, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var json = Encoding.UTF8.GetString(AttestationCli.ReadFile(parse.GetValue(policy)!, "--policy"));
                using var auditor = SignedPolicy.ImportAuditorKey(Encoding.UTF8.GetString(AttestationCli.ReadFile(parse.GetValue(key)!, "--key")));
                var signed = SignedPolicy.Sign(json, auditor);
                await File.WriteAllTextAsync(parse.GetValue(output)!, signed + "\n", cancellationToken);
                AttestationCli.Human.MarkupLine($"signed the policy with auditor key {SignedPolicy.KeyId(auditor)}");
                return ExitCodes.Success;
            }
            catch (UsageException ex)
            {
                AttestationCli.WriteRefusal(ex.Message);
                return ExitCodes.UsageError;
            }
            catch (AttestationException ex)
            {
                AttestationCli.WriteRefusal(ex.Message);
                return ExitCodes.UsageError;
            }
            catch (System.Security.Cryptography.CryptographicException)
            {
                AttestationCli.WriteRefusal("--key holds a public key only; signing needs the auditor's private key.");
                return ExitCodes.UsageError;
            }
        });
        return command;
    }
}
