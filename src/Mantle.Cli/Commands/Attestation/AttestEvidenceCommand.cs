using System.CommandLine;
using Mantle.Attestation;
using Mantle.Attestation.Providers;
using Mantle.Cli.CommandLine;
using Spectre.Console;

namespace Mantle.Cli.Commands.Attestation;

/// <summary><c>mantle attest evidence</c>: obtains evidence from this machine's TEE.</summary>
internal static class AttestEvidenceCommand
{
    public static Command Create()
    {
        var tee = new Option<string>("--tee") { Description = "The TEE to ask: sim, sgx (Gramine /dev/attestation), tdx or snp (configfs-tsm).", Required = true };
        tee.AcceptOnlyFromAmong("sim", "sgx", "tdx", "snp");
        var reportData = new Option<string>("--report-data") { Description = "Up to 64 bytes of report data, hex (zero-padded).", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "The file to write the evidence to.", Required = true }.OutputFile();
        var simKey = new Option<string?>("--sim-key") { Description = "The simulated platform key file (created when missing). Default: $XDG_CONFIG_HOME/mantle/sim-platform-key.pem." }.InputOrNewFile();
        var programFolder = new Option<string?>("--program-folder") { Description = "sim only: the folder whose *.dll files are measured. Default: mantle's own folder." }.InputFolder();
        var configDigest = new Option<string?>("--config-digest") { Description = "sim only: a configuration digest (hex) mixed into the measurement." };
        var deviceRoot = new Option<string?>("--device-root") { Description = "The TEE interface folder. Default: /dev/attestation (sgx) or /sys/kernel/config/tsm/report (tdx, snp)." };

        var command = new Command("evidence", "Obtain evidence from this machine's TEE and write it to a file.")
        {
            tee, reportData, output, simKey, programFolder, configDigest, deviceRoot,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var data = ParseHex(parse.GetValue(reportData)!, "--report-data", 64);
            var kind = TeeTypeNames.Parse(parse.GetValue(tee)!);
            var root = parse.GetValue(deviceRoot);
            using var provider = TeeEvidenceProvider.Open(new TeeEvidenceProviderOptions
            {
                Tee = kind,
                DeviceRoot = root,
                SimKeyPath = parse.GetValue(simKey),
                ProgramFolder = parse.GetValue(programFolder),
                ConfigurationDigest = kind == TeeType.Sim && parse.GetValue(configDigest) is { } hex ? ParseHex(hex, "--config-digest", 1024) : null,
            });
            var evidence = await provider.GetEvidenceAsync(data, cancellationToken);
            if (kind == TeeType.Sim)
            {
                AttestationCli.Human.MarkupLine($"sim measurement [bold]{provider.SimMeasurement}[/], platform key {provider.SimPlatformKeyId}");
                AttestationCli.Human.MarkupLine("[yellow]The simulated TEE gives no security: use it for development and CI only.[/]");
            }

            var path = parse.GetValue(output)!;
            await OptionFiles.WriteAsync(path, "--out", () => File.WriteAllBytesAsync(path, evidence, cancellationToken));
            AttestationCli.Human.MarkupLine($"wrote {evidence.Length} bytes of {kind.ToName()} evidence to {Markup.Escape(path)}");
            return ExitCodes.Success;
        });
        return command;
    }

    internal static byte[] ParseHex(string hex, string option, int maxBytes)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromHexString(hex.Trim());
        }
        catch (FormatException)
        {
            throw new UsageException($"{option} must be hex digits (two per byte).");
        }

        return bytes.Length <= maxBytes ? bytes : throw new UsageException($"{option} is {bytes.Length} bytes; at most {maxBytes} are allowed.");
    }
}
