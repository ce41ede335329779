using System.CommandLine;
using System.Net;
using System.Text.Json;
using Mantle.KeyBroker;
using Mantle.KeyBroker.Client;

namespace Mantle.Cli.Commands.Broker;

/// <summary>Options and error handling shared by the broker admin commands.</summary>
internal static class BrokerCli
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static Option<string> BrokerOption() => new("--broker") { Description = "Broker URL (defaults to the one in the credential file)." };

    public static Option<string> CredentialOption() => new("--credential") { Description = "Admin credential file made by 'mantle broker init' (DIR/admin.credential).", Required = true };

    public static Option<bool> JsonOption() => new("--json") { Description = "Write the result as JSON to stdout." };

    public static BrokerAdminClient CreateAdmin(ParseResult parse, Option<string> broker, Option<string> credential) =>
        new(AdminCredential.Load(parse.GetValue(credential)!), new BrokerAdminClientOptions { BrokerUrl = parse.GetValue(broker) });

    /// <summary>Runs an admin action, mapping failures to exit codes with a message on stderr.</summary>
    public static async Task<int> RunAsync(Func<Task<int>> action)
    {
        try
        {
            return await action();
        }
        catch (KeyBrokerException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Title}: {ex.Detail}");
            return ex.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Conflict or HttpStatusCode.NotFound ? ExitCodes.UsageError : ExitCodes.RemoteError;
        }
        catch (Mantle.Cli.Commands.Attestation.UsageException ex)
        {
            await Console.Error.WriteLineAsync("error: " + ex.Message);
            return ExitCodes.UsageError;
        }
        catch (InvalidOperationException ex)
        {
            await Console.Error.WriteLineAsync("error: " + ex.Message);
            return ExitCodes.UsageError;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or FormatException or ArgumentException or Mantle.Attestation.AttestationException or Mantle.Sealing.SealingException)
        {
            await Console.Error.WriteLineAsync("error: " + ex.Message);
            return ExitCodes.UsageError;
        }
    }

    public static async Task<string?> ReadPolicyAsync(string? path, CancellationToken cancellationToken)
    {
        if (path is null)
        {
            return null;
        }

        var text = await File.ReadAllTextAsync(path, cancellationToken);
        using var _ = JsonDocument.Parse(text);
        return text;
    }
}
