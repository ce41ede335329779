using System.CommandLine;
using System.Security.Cryptography.X509Certificates;
using Mantle.Attestation;
using Mantle.Attestation.Providers;
using Mantle.Attestation.RaTls;
using Mantle.Cli.CommandLine;
using Spectre.Console;

namespace Mantle.Cli.Commands.Attestation;

/// <summary><c>mantle attest ratls-cert</c>: creates an RA-TLS certificate and key with this machine's TEE evidence.</summary>
internal static class AttestRaTlsCertCommand
{
    public static Command Create()
    {
        var tee = new Option<string>("--tee") { Description = "The TEE to ask: sim, sgx, tdx or snp.", Required = true };
        tee.AcceptOnlyFromAmong("sim", "sgx", "tdx", "snp");
        var output = new Option<string>("--out", "-o") { Description = "The certificate file to write (PEM).", Required = true }.OutputFile();
        var keyOutput = new Option<string>("--key-out") { Description = "The private key file to write (PEM, mode 0600).", Required = true }.OutputFile();
        var simKey = new Option<string?>("--sim-key") { Description = "sim only: the simulated platform key file (created when missing)." }.InputOrNewFile();
        var deviceRoot = new Option<string?>("--device-root") { Description = "The TEE interface folder (see 'attest evidence')." };
        var command = new Command("ratls-cert", "Create a self-signed RA-TLS certificate whose evidence vouches for a new key.")
        {
            tee, output, keyOutput, simKey, deviceRoot,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var kind = TeeTypeNames.Parse(parse.GetValue(tee)!);
            var root = parse.GetValue(deviceRoot);
            using var provider = TeeEvidenceProvider.Open(new TeeEvidenceProviderOptions { Tee = kind, DeviceRoot = root, SimKeyPath = parse.GetValue(simKey) });
            using var certificate = await RaTlsCertificate.CreateAsync(provider, cancellationToken: cancellationToken);
            using var key = certificate.GetECDsaPrivateKey()!;
            var keyPath = parse.GetValue(keyOutput)!;
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            await OptionFiles.WriteAsync(keyPath, "--key-out", async () =>
            {
                using var writer = new StreamWriter(new FileStream(keyPath, options));
                await writer.WriteAsync(key.ExportPkcs8PrivateKeyPem());
            });
            var certificatePath = parse.GetValue(output)!;
            await OptionFiles.WriteAsync(certificatePath, "--out", () => File.WriteAllTextAsync(certificatePath, certificate.ExportCertificatePem() + "\n", cancellationToken));
            AttestationCli.Human.MarkupLine($"wrote an RA-TLS certificate with {kind.ToName()} evidence to {Markup.Escape(parse.GetValue(output)!)}");
            return ExitCodes.Success;
        });
        return command;
    }
}
