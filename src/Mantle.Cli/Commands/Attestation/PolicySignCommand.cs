using System.CommandLine;
using System.Security.Cryptography;
using Mantle.Attestation;
using Mantle.Attestation.Policy;
using Mantle.Cli.CommandLine;
using Spectre.Console;

namespace Mantle.Cli.Commands.Attestation;

/// <summary><c>mantle policy sign</c>: signs a policy file with an auditor's key (JWS ES384).</summary>
internal static class PolicySignCommand
{
    public static Command Create()
    {
        var policy = new Option<string>("--policy", "-p") { Description = "The policy JSON file to sign (checked first).", Required = true }.InputFile();
        var key = new Option<string>("--key", "-k") { Description = "The auditor's P-384 private key (PEM), as made by 'mantle policy keygen'.", Required = true }.InputFile();
        var output = new Option<string>("--out", "-o") { Description = "The file to write the signed policy (compact JWS) to.", Required = true }.OutputFile();
        var command = new Command("sign", "Sign an attestation policy as an auditor (JWS, ES384).") { policy, key, output };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var policyPath = parse.GetValue(policy)!;
            var json = OptionFiles.ReadAllText(policyPath, "--policy");
            using var auditor = LoadPrivateKey(parse.GetValue(key)!);
            string signed;
            try
            {
                signed = SignedPolicy.Sign(json, auditor);
            }
            catch (AttestationException ex)
            {
                throw new CliException(new CliError(CliErrors.CodeOf(ex.Code), $"--policy {policyPath}: {ex.Message}") { Option = "--policy", Path = policyPath, DetailCode = ex.Code.ToString() }, ex);
            }

            var path = parse.GetValue(output)!;
            await OptionFiles.WriteAsync(path, "--out", () => File.WriteAllTextAsync(path, signed + "\n", cancellationToken));
            AttestationCli.Human.MarkupLine($"signed the policy with auditor key {SignedPolicy.KeyId(auditor)}");
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The auditor's key from <c>--key</c>; a public key (the .pub file) is refused before anything is signed.</summary>
    private static ECDsa LoadPrivateKey(string path)
    {
        ECDsa auditor;
        try
        {
            auditor = SignedPolicy.ImportAuditorKey(OptionFiles.ReadAllText(path, "--key"));
        }
        catch (AttestationException ex)
        {
            throw new CliException(new CliError(CliErrorCodes.InvalidFile, $"--key {path}: {ex.Message}") { Option = "--key", Path = path, DetailCode = ex.Code.ToString() }, ex);
        }

        try
        {
            var parameters = auditor.ExportParameters(includePrivateParameters: true);
            CryptographicOperations.ZeroMemory(parameters.D);
            return auditor;
        }
        catch (CryptographicException ex)
        {
            auditor.Dispose();
            throw new CliException(new CliError(CliErrorCodes.InvalidFile,
                $"--key {path} holds a public key only; signing needs the auditor's private key (the file 'mantle policy keygen --out FILE' wrote as FILE, not FILE.pub).")
            {
                Option = "--key",
                Path = path,
            }, ex);
        }
    }
}
