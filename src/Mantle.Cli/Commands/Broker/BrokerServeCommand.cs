using System.CommandLine;
using Mantle.Attestation;
using Mantle.Attestation.Sim;
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
        var command = new Command("serve", "Run the key broker.") { config, db, urls, plaintext, simKey };
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
            var verifiers = new List<IEvidenceVerifier>();
            if (simKeyPath is not null)
            {
                verifiers.Add(new SimEvidenceVerifier(SimulatedTee.Load(simKeyPath).ToPublicOnly()));
            }

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
            catch (Exception ex) when (ex is ArgumentException or Microsoft.Extensions.Options.OptionsValidationException)
            {
                await Console.Error.WriteLineAsync("error: " + ex.Message);
                if (app is not null)
                {
                    await app.DisposeAsync();
                }

                return ExitCodes.UsageError;
            }

            await using (app)
            {

                if (verifiers.Count == 0)
                {
                    await Console.Error.WriteLineAsync("warning: no evidence verifier is configured; every attestation will be refused (pass --sim-key for the simulated TEE).");
                }

                await Console.Error.WriteLineAsync("Key broker listening on " + string.Join(", ", KeyBrokerServer.Addresses(app)));
                await app.WaitForShutdownAsync(ct);
            }

            return ExitCodes.Success;
        }));
        return command;
    }
}
