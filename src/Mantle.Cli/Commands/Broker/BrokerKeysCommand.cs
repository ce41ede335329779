using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using Mantle.KeyBroker;

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
        var key = new Option<string>("--key") { Description = "Model key file: {\"type\":\"mantle-model-key\",\"keyId\":…,\"key\":base64} or {\"id\":…,\"key\":base64}.", Required = true };
        var policy = new Option<string>("--policy") { Description = "Release policy (JSON file) for this key." };
        var rotate = new Option<bool>("--rotate") { Description = "Store as a new version of an already registered key id." };
        var put = new Command("put", "Register a model key with the broker (resource mantle/model-key/<key id>).") { broker, credential, key, policy, rotate, json };
        put.SetAction(async (parse, ct) => await BrokerCli.RunAsync(async () =>
        {
            var (id, bytes) = ReadKeyFile(parse.GetValue(key)!);
            try
            {
                using var admin = BrokerCli.CreateAdmin(parse, broker, credential);
                var policyJson = await BrokerCli.ReadPolicyAsync(parse.GetValue(policy), ct);
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
        }));
        var command = new Command("keys", "Register model keys with the broker.");
        command.Subcommands.Add(put);
        return command;
    }

    /// <summary>Reads a model key file; for <c>mantle-model-key</c> files the key id is checked against the key.</summary>
    internal static (string Id, byte[] Key) ReadKeyFile(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        var id = (root.TryGetProperty("keyId", out var k) ? k.GetString() : root.TryGetProperty("id", out var i) ? i.GetString() : null)
            ?? throw new InvalidOperationException($"'{path}' has no key id ('keyId' or 'id').");
        var key = root.TryGetProperty("key", out var kb) && kb.ValueKind == JsonValueKind.String
            ? Convert.FromBase64String(kb.GetString()!)
            : throw new InvalidOperationException($"'{path}' has no base64 'key'.");
        if (!System.Text.RegularExpressions.Regex.IsMatch(id, "^[A-Za-z0-9._-]{1,128}$"))
        {
            throw new InvalidOperationException($"Key id '{id}' in '{path}' may hold only letters, digits, '.', '_' and '-'.");
        }

        if (root.TryGetProperty("type", out var type) && type.GetString() == "mantle-model-key")
        {
            if (key.Length != 32 || ComputeModelKeyId(key) != id)
            {
                CryptographicOperations.ZeroMemory(key);
                throw new InvalidOperationException($"'{path}': its keyId does not match its key (the file was edited or damaged).");
            }
        }

        return (id, key);
    }

    private static string ComputeModelKeyId(byte[] key) =>
        Convert.ToHexStringLower(SHA256.HashData([.. "mantle/v1/key-id"u8, .. key])[..8]);
}
