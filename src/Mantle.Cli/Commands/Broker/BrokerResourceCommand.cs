using System.CommandLine;
using System.Text.Json;
using Mantle.Cli.CommandLine;
using Spectre.Console;

namespace Mantle.Cli.Commands.Broker;

/// <summary><c>mantle broker resource put|list|rotate|revoke</c>.</summary>
internal static class BrokerResourceCommand
{
    public static Command Create()
    {
        var command = new Command("resource", "Manage resources (model keys, sealed TLS material, any bytes) stored in the broker.");
        command.Subcommands.Add(Write("put", "Store a new resource (version 1).", rotate: false));
        command.Subcommands.Add(Write("rotate", "Store a new version of a resource; older versions are kept as 'retired' and no longer released.", rotate: true));
        command.Subcommands.Add(List());
        command.Subcommands.Add(Revoke());
        return command;
    }

    private static Command Write(string name, string description, bool rotate)
    {
        var broker = BrokerCli.BrokerOption();
        var credential = BrokerCli.CredentialOption();
        var json = BrokerCli.JsonOption();
        var path = new Option<string>("--path") { Description = "Resource path REPO/TYPE/TAG.", Required = true };
        var file = new Option<string>("--file") { Description = "File holding the resource bytes.", Required = true }.InputFile();
        var policy = new Option<string>("--policy") { Description = "Release policy (JSON file) for this resource; without it the default policy applies." }.InputFile();
        var command = new Command(name, description) { broker, credential, path, file, policy, json };
        command.SetAction(async (parse, ct) =>
        {
            using var admin = BrokerCli.CreateAdmin(parse, broker, credential);
            var bytes = OptionFiles.ReadAllBytes(parse.GetValue(file)!, "--file");
            var policyJson = BrokerCli.ReadPolicy(parse.GetValue(policy), "--policy");
            var result = rotate
                ? await admin.RotateResourceAsync(parse.GetValue(path)!, bytes, policyJson, ct)
                : await admin.PutResourceAsync(parse.GetValue(path)!, bytes, policyJson, ct);
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(bytes);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(result, BrokerCli.Json));
            }
            else
            {
                await Console.Error.WriteLineAsync($"Stored {result.Path} version {result.Version}.");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static Command List()
    {
        var broker = BrokerCli.BrokerOption();
        var credential = BrokerCli.CredentialOption();
        var json = BrokerCli.JsonOption();
        var command = new Command("list", "List stored resources (metadata only, never the bytes).") { broker, credential, json };
        command.SetAction(async (parse, ct) =>
        {
            using var admin = BrokerCli.CreateAdmin(parse, broker, credential);
            var list = await admin.ListResourcesAsync(ct);
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonSerializer.Serialize(list, BrokerCli.Json));
                return ExitCodes.Success;
            }

            var table = new Table().AddColumns("path", "version", "state", "size", "created", "own policy");
            foreach (var r in list)
            {
                table.AddRow(Markup.Escape(r.Path), r.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), r.State,
                    r.Size.ToString(System.Globalization.CultureInfo.InvariantCulture), r.CreatedAt.ToString("u", System.Globalization.CultureInfo.InvariantCulture), r.HasPolicy ? "yes" : "no");
            }

            AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }).Write(table);
            return ExitCodes.Success;
        });
        return command;
    }

    private static Command Revoke()
    {
        var broker = BrokerCli.BrokerOption();
        var credential = BrokerCli.CredentialOption();
        var path = new Option<string>("--path") { Description = "Resource path REPO/TYPE/TAG.", Required = true };
        var command = new Command("revoke", "Revoke every version of a resource: it is no longer released (kept for audit).") { broker, credential, path };
        command.SetAction(async (parse, ct) =>
        {
            using var admin = BrokerCli.CreateAdmin(parse, broker, credential);
            var count = await admin.RevokeResourceAsync(parse.GetValue(path)!, ct);
            await Console.Error.WriteLineAsync($"Revoked {count} version(s) of {parse.GetValue(path)}.");
            return ExitCodes.Success;
        });
        return command;
    }
}
