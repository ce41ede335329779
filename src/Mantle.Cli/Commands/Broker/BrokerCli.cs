using System.CommandLine;
using System.Text.Json;
using Mantle.Cli.CommandLine;
using Mantle.KeyBroker;
using Mantle.KeyBroker.Client;

namespace Mantle.Cli.Commands.Broker;

/// <summary>Options shared by the broker admin commands.</summary>
internal static class BrokerCli
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Option<string> BrokerOption() => new Option<string>("--broker") { Description = "Broker URL (defaults to the one in the credential file)." }.BrokerAddress().HttpUrl();

    public static Option<string> CredentialOption() => new Option<string>("--credential") { Description = "Admin credential file made by 'mantle broker init' (DIR/admin.credential).", Required = true }.InputFile();

    public static Option<bool> JsonOption() => new("--json") { Description = "Write the result as JSON to stdout." };

    /// <summary>A client for the broker that <c>--broker</c> or the credential names.</summary>
    /// <exception cref="CliException">The credential file is not an admin credential.</exception>
    public static BrokerAdminClient CreateAdmin(ParseResult parse, Option<string> broker, Option<string> credential)
    {
        var path = parse.GetValue(credential)!;
        AdminCredential loaded;
        try
        {
            loaded = AdminCredential.Load(path);
        }
        catch (InvalidOperationException ex)
        {
            throw new CliException(new CliError(CliErrorCodes.InvalidFile, $"--credential {path}: {ex.Message}") { Option = "--credential", Path = path }, ex);
        }

        var url = parse.GetValue(broker) ?? loaded.BrokerUrl;
        if (!OptionRules.IsHttpUrl(url))
        {
            throw new CliException(new CliError(CliErrorCodes.InvalidFile, $"--credential {path} names the broker '{url}', which is not an http(s) URL; pass --broker URL.") { Option = "--credential", Path = path });
        }

        CommandScope.TalkingTo(new Uri(url), "the broker");
        return new BrokerAdminClient(loaded, new BrokerAdminClientOptions { BrokerUrl = url });
    }

    /// <summary>The policy JSON of <paramref name="path"/> (named by <paramref name="label"/>), or null without one.</summary>
    public static string? ReadPolicy(string? path, string label)
    {
        if (path is null)
        {
            return null;
        }

        var text = OptionFiles.ReadAllText(path, label);
        try
        {
            using var _ = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            throw new CliException(new CliError(CliErrorCodes.InvalidFile, $"{label} {path} is not JSON: {ex.Message}") { Option = label, Path = path }, ex);
        }

        return text;
    }
}
