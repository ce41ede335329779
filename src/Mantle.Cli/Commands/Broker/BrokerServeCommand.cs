using System.CommandLine;
using Mantle.Attestation;
using Mantle.Cli.CommandLine;
using Mantle.Cli.Commands.Attestation;
using Mantle.KeyBroker;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Mantle.Cli.Commands.Broker;

/// <summary><c>mantle broker serve --config DIR</c>: runs the broker until stopped.</summary>
internal static class BrokerServeCommand
{
    public static Command Create()
    {
        var config = new Option<string>("--config") { Description = "The folder made by 'mantle broker init'.", Required = true }.InputFolder();
        var db = new Option<string>("--db") { Description = "Storage: sqlite:PATH (default DIR/broker.db) or postgres:CONNECTION STRING." };
        var urls = new Option<string[]>("--urls") { Description = "Listen addresses (default https://127.0.0.1:8443); ';' or repeated.", AllowMultipleArgumentsPerToken = true };
        var plaintext = new Option<bool>("--plaintext") { Description = "Serve plain HTTP (loopback addresses only)." };
        var simKey = new Option<string>("--sim-key") { Description = "Accept simulated-TEE evidence signed by this platform key file (development only)." }.InputFile();
        var collateral = new Option<string>("--collateral") { Description = "Offline collateral for hardware evidence: a file or folder of Intel PCS responses (TCB info, QE identity, CRLs, chains) and AMD certificates (VCEK/VLEK, ASK/ARK)." }.InputPath();
        var roots = new Option<string>("--roots") { Description = "A folder of PEM vendor root certificates that replaces the built-in Intel and AMD roots." }.InputFolder();
        var pccsUrl = new Option<Uri>("--pccs-url") { Description = "Fetch Intel collateral from this PCCS/PCS base URL (cached) when --collateral is not given." }.HttpUrl();
        var kdsUrl = new Option<Uri>("--kds-url") { Description = "Fetch AMD VCEKs from this KDS base URL (cached) when the evidence carries none." }.HttpUrl();
        var command = new Command("serve", "Run the key broker.") { config, db, urls, plaintext, simKey, collateral, roots, pccsUrl, kdsUrl };
        command.SetAction(async (parse, ct) =>
        {
            var options = new KeyBrokerServerOptions
            {
                ConfigDirectory = parse.GetValue(config)!,
                Database = parse.GetValue(db),
                Plaintext = parse.GetValue(plaintext),
            };
            foreach (var url in (parse.GetValue(urls) ?? []).SelectMany(u => u.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
            {
                options.Urls.Add(OptionRules.IsHttpUrl(url) ? url : throw new UsageException($"--urls '{url}' is not an http(s) URL such as https://0.0.0.0:8443."));
            }

            CheckDatabase(parse.GetValue(db));
            var simKeyPath = parse.GetValue(simKey);

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
            catch (Exception ex)
            {
                if (app is not null)
                {
                    await app.DisposeAsync();
                }

                if (CannotStart(ex, options) is { } reported)
                {
                    throw reported;
                }

                throw;
            }

            await using (app)
            {

                await Console.Error.WriteLineAsync("Evidence verifiers: " + string.Join(", ", verifiers.Select(v => v.Tee.ToName())));

                await Console.Error.WriteLineAsync("Key broker listening on " + string.Join(", ", KeyBrokerServer.Addresses(app)));
                await app.WaitForShutdownAsync(ct);
            }

            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>A failed start in the user's terms: a configuration the broker refuses names its setting or file; a port that cannot be opened names the addresses.</summary>
    private static CliException? CannotStart(Exception error, KeyBrokerServerOptions options) => error switch
    {
        IOException => new CliException(CliErrorCodes.Failure, $"Cannot listen on {string.Join(", ", options.Urls.DefaultIfEmpty("https://127.0.0.1:8443"))}: {error.Message}", error),
        OptionsValidationException invalid => new CliException(CliErrorCodes.InvalidFile, "the broker cannot start: " + string.Join(" ", invalid.Failures), error),
        ArgumentException argument => new CliException(CliErrorCodes.Usage, "the broker cannot start: " + CliErrors.WithoutParameterName(argument), error),
        InvalidOperationException => new CliException(CliErrorCodes.InvalidFile, "the broker cannot start: " + error.Message, error),
        _ => null,
    };

    /// <summary>Refuses a <c>--db</c> that is neither form, or a SQLite file whose folder does not exist (SQLite would say only "unable to open").</summary>
    private static void CheckDatabase(string? database)
    {
        if (database is null || (database.StartsWith("postgres:", StringComparison.Ordinal) && database.Length > "postgres:".Length))
        {
            return;
        }

        if (!database.StartsWith("sqlite:", StringComparison.Ordinal) || database.Length == "sqlite:".Length)
        {
            throw new UsageException($"--db '{database}' is neither sqlite:PATH nor postgres:CONNECTION STRING (for example sqlite:/var/lib/mantle/broker.db).");
        }

        var path = database["sqlite:".Length..];
        var folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (Directory.Exists(path) || !Directory.Exists(folder))
        {
            throw new CliException(new CliError(Directory.Exists(path) ? CliErrorCodes.FileUnusable : CliErrorCodes.FileNotFound, Directory.Exists(path)
                ? $"--db {database}: {path} is a folder; name the database file (for example {Path.Combine(path, "broker.db")})."
                : $"--db {database}: the folder {folder} does not exist; create it first, or choose another path.")
            {
                Option = "--db",
                Path = path,
            });
        }
    }
}
