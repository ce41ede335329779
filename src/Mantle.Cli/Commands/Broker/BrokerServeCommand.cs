using System.CommandLine;
using Mantle.Attestation;
using Mantle.Cli.Commands.Attestation;
using Mantle.KeyBroker;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Mantle.Cli.Commands.Broker;

/// <summary><c>mantle broker serve --config DIR</c>: runs the broker until stopped.</summary>
internal static class BrokerServeCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "The folder made by 'mantle broker init'.", Required = true };
        var db = new Option<string>("--db") { Description = "Storage: sqlite:PATH (default DIR/broker.db) or postgres:CONNECTION STRING." };
        var urls = new Option<string[]>("--urls") { Description = "Listen addresses (default https://127.0.0.1:8443); ';' or repeated.", AllowMultipleArgumentsPerToken = true };
        var plaintext = new Option<bool>("--plaintext") { Description = "Serve plain HTTP (loopback addresses only)." };
        var simKey = new Option<string>("--sim-key") { Description = "Accept simulated-TEE evidence signed by this platform key file (development only)." };
        var collateral = new Option<string>("--collateral") { Description = "Offline collateral for hardware evidence: a file or folder of Intel PCS responses (TCB info, QE identity, CRLs, chains) and AMD certificates (VCEK/VLEK, ASK/ARK)." };
        var roots = new Option<string>("--roots") { Description = "A folder of PEM vendor root certificates that replaces the built-in Intel and AMD roots." };
        var pccsUrl = new Option<Uri>("--pccs-url") { Description = "Fetch Intel collateral from this PCCS/PCS base URL (cached) when --collateral is not given." };
        var kdsUrl = new Option<Uri>("--kds-url") { Description = "Fetch AMD VCEKs from this KDS base URL (cached) when the evidence carries none." };
        var command = new Command("serve", "Run the key broker.") { config, db, urls, plaintext, simKey, collateral, roots, pccsUrl, kdsUrl };
        command.SetAction(async (parse, ct) => await BrokerCli.RunAsync(async () =>
        {
            var options = new KeyBrokerServerOptions
            {
                ConfigDirectory = parse.GetValue(config)!,
                Database = parse.GetValue(db),
                Plaintext = parse.GetValue(plaintext),
            };
            foreach (var url in (parse.GetValue(urls) ?? []).SelectMany(u => u.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            {
                options.Urls.Add(url);
            }

            var simKeyPath = parse.GetValue(simKey);
            AttestationCli.CheckTrustPaths(parse.GetValue(collateral), parse.GetValue(roots));

            // SGX and TDX quotes need collateral (offline files or a PCCS) to be verified; SEV-SNP evidence may carry
            // its VCEK, or the VCEK comes from the collateral files or KDS. Everything is read now, so that a missing
            // key or malformed collateral stops the broker at start.
            var verifiers = EvidenceVerifiers.CreateAll(new EvidenceVerifierOptions
            {
                AcceptSim = simKeyPath is not null,
                SimKeyPath = simKeyPath,
                CollateralPath = parse.GetValue(collateral),
                RootsDirectory = parse.GetValue(roots),
                PccsUrl = parse.GetValue(pccsUrl),
                KdsUrl = parse.GetValue(kdsUrl),
            });

            options.ConfigureServices = services =>
            {
                foreach (var verifier in verifiers)
                {
                    services.AddSingleton(verifier);
                }
            };

            WebApplication? app = null;
            try
            {
                app = KeyBrokerServer.Build(options);
                await app.StartAsync(ct);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or Microsoft.Extensions.Options.OptionsValidationException)
            {
                // A configuration the broker refuses to start with: each problem names its setting or file.
                await Console.Error.WriteLineAsync(ex is Microsoft.Extensions.Options.OptionsValidationException invalid
                    ? "error: the broker cannot start:\n  " + string.Join("\n  ", invalid.Failures)
                    : "error: " + ex.Message);
                if (app is not null)
                {
                    await app.DisposeAsync();
                }

                return ExitCodes.UsageError;
            }

            await using (app)
            {

                await Console.Error.WriteLineAsync("Evidence verifiers: " + string.Join(", ", verifiers.Select(v => v.Tee.ToName())));

                await Console.Error.WriteLineAsync("Key broker listening on " + string.Join(", ", KeyBrokerServer.Addresses(app)));
                await app.WaitForShutdownAsync(ct);
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
