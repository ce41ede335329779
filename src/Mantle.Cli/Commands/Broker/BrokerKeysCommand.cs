using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using Mantle.Cli.CommandLine;
using Mantle.KeyBroker;
using Mantle.Sealing.Keys;

namespace Mantle.Cli.Commands.Broker;

/// <summary>
/// <c>mantle broker keys put --key KEYFILE</c>: registers a model key file (from <c>mantle keys create</c>) as resource
/// <c>mantle/model-key/&lt;key id&gt;</c>.
/// </summary>
internal static class BrokerKeysCommand
{
    public static Command Create()
    {
        var broker = BrokerCli.BrokerOption();
        var credential = BrokerCli.CredentialOption();
        var json = BrokerCli.JsonOption();
        var key = new Option<string>("--key") { Description = "Model key file from 'mantle keys create' (or the bare 32 key bytes); its key id names the resource.", Required = true }.InputFile();
        var policy = new Option<string>("--policy") { Description = "Release policy (JSON file) for this key." }.InputFile();
        var rotate = new Option<bool>("--rotate") { Description = "Store as a new version of an already registered key id." };
        var put = new Command("put", "Register a model key with the broker (resource mantle/model-key/<key id>).") { broker, credential, key, policy, rotate, json };
        put.SetAction(async (parse, ct) =>
        {
            string id;
            byte[] bytes;
            using (var modelKey = ModelKey.Load(parse.GetValue(key)!))
            {
                id = modelKey.Id;
                bytes = modelKey.ExportBytes();
            }

            try
            {
                using var admin = BrokerCli.CreateAdmin(parse, broker, credential);
                var policyJson = BrokerCli.ReadPolicy(parse.GetValue(policy), "--policy");
                var path = KbsProtocol.ModelKeyPath(id);
                var result = parse.GetValue(rotate)
                    ? await admin.RotateResourceAsync(path, bytes, policyJson, ct)
                    : await admin.PutResourceAsync(path, bytes, policyJson, ct);
                if (parse.GetValue(json))
                {
                    Console.WriteLine(JsonSerializer.Serialize(result, BrokerCli.Json));
                }
                else
                {
                    await Console.Error.WriteLineAsync($"Model key {id} registered as {result.Path} version {result.Version}.");
                }

                return ExitCodes.Success;
            }
            finally
            {
                CryptographicOperations.ZeroMemory(bytes);
            }
        });
        var command = new Command("keys", "Register model keys with the broker.");
        command.Subcommands.Add(put);
        return command;
    }
}
