using System.CommandLine;
using System.Security.Cryptography;
using Mantle.Attestation;
using Mantle.Attestation.Providers;
using Mantle.Cli.CommandLine;
using Mantle.KeyBroker.Client;

namespace Mantle.Cli.Commands.Broker;

/// <summary>
/// <c>mantle broker fetch</c>: the attester's side from a shell, for scripts and trials: evidence from this machine's TEE
/// bound to a fresh key and the broker's nonce, attest, then write the released resource to a file (mode 0600).
/// </summary>
internal static class BrokerFetchCommand
{
    public static Command Create()
    {
        var broker = new Option<string>("--broker") { Description = "Broker URL.", Required = true }.BrokerAddress().HttpUrl();
        var ca = new Option<string>("--ca") { Description = "Broker CA certificate (PEM) to trust for HTTPS; default: the system trust store." }.InputFile();
        var tee = new Option<string>("--tee") { Description = "The TEE to ask for evidence: sim, sgx, tdx or snp.", Required = true };
        tee.AcceptOnlyFromAmong("sim", "sgx", "tdx", "snp");
        var simKey = new Option<string>("--sim-key") { Description = "sim only: the simulated platform key file (created when missing)." }.InputOrNewFile();
        var path = new Option<string>("--path") { Description = "Resource path REPO/TYPE/TAG.", Required = true };
        var output = new Option<string>("--out") { Description = "File to write the resource bytes to (mode 0600).", Required = true }.OutputFile();
        var command = new Command("fetch", "Attest this machine to the broker and fetch one resource (the attester's side, for scripts and trials).")
        {
            broker, ca, tee, simKey, path, output,
        };
        command.SetAction(async (parse, ct) =>
        {
            var kind = TeeTypeNames.Parse(parse.GetValue(tee)!);
            using var provider = TeeEvidenceProvider.Open(new TeeEvidenceProviderOptions { Tee = kind, SimKeyPath = parse.GetValue(simKey) });
            var caPem = parse.GetValue(ca) is { } caFile ? OptionFiles.ReadAllText(caFile, "--ca") : null;
            var brokerUrl = new Uri(parse.GetValue(broker)!);
            CommandScope.TalkingTo(brokerUrl, "the broker");
            using var client = new KeyBrokerClient(brokerUrl, caPem);
            await client.AttestAsync(provider, ct);
            var bytes = await client.GetResourceAsync(parse.GetValue(path)!, ct);
            try
            {
                var file = parse.GetValue(output)!;
                OptionFiles.Write(file, "--out", () => WritePrivate(file, bytes));
            }
            finally
            {
                CryptographicOperations.ZeroMemory(bytes);
            }

            await Console.Error.WriteLineAsync($"Fetched {parse.GetValue(path)} ({bytes.Length} bytes) to {parse.GetValue(output)}.");
            return ExitCodes.Success;
        });
        return command;
    }

    private static void WritePrivate(string path, byte[] bytes)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var stream = new FileStream(path, options);
        stream.Write(bytes);
    }
}
