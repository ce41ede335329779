using System.CommandLine;
using Mantle.Client.Certificates;
using Spectre.Console;

namespace Mantle.Cli.Commands.Sealing;

/// <summary><c>mantle certs create</c>: a CA, a server certificate and a client certificate for mutual TLS.</summary>
internal static class CertsCreateCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "The folder to write ca.crt, ca.key, server.crt, server.key, client.crt, client.key into.", Required = true };
        var serverName = new Option<string>("--server-name") { Description = "The DNS name (or IP) clients use for the server; 'localhost' also adds 127.0.0.1 and ::1.", Required = true };
        var clientName = new Option<string>("--client-name") { Description = "The client certificate's common name.", DefaultValueFactory = _ => "mantle-client" };
        var extraNames = new Option<string[]>("--san") { Description = "Another DNS name or IP address for the server certificate (repeatable).", AllowMultipleArgumentsPerToken = false };
        var days = new Option<int>("--days") { Description = "Validity of the server and client certificates in days.", DefaultValueFactory = _ => 365 };
        var json = SealingCli.JsonOption();
        var command = new Command("create", "Create a CA, a server certificate and a client certificate for mutual TLS (PEM; private keys mode 0600).")
        {
            output, serverName, clientName, extraNames, days, json,
        };
        command.SetAction((parseResult, _) => SealingCli.RunAsync(parseResult, json, asJson =>
        {
            var directory = parseResult.GetValue(output)!;
            var material = TlsMaterial.Create(new TlsMaterialOptions
            {
                ServerName = parseResult.GetValue(serverName)!,
                ClientName = parseResult.GetValue(clientName)!,
                ExtraServerNames = parseResult.GetValue(extraNames) ?? [],
                ValidityDays = parseResult.GetValue(days),
            });
            if (material.ExistingFiles(directory) is { Count: > 0 } existing)
            {
                throw new ArgumentException(TlsMaterial.ExistsMessage(directory, existing));
            }

            material.Save(directory);
            SealingCli.Stderr.MarkupLineInterpolated(
                $"Wrote {string.Join(", ", material.Files.Keys)} to {directory}; server names: {string.Join(", ", material.ServerNames)}. Keep the .key files secret (mode 0600); seal server.crt and server.key with 'mantle seal' to ship them.");
            if (asJson)
            {
                SealingCli.WriteJson(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("folder", Path.GetFullPath(directory));
                    writer.WriteStartArray("files");
                    foreach (var name in material.Files.Keys)
                    {
                        writer.WriteStringValue(name);
                    }

                    writer.WriteEndArray();
                    writer.WriteStartArray("serverNames");
                    foreach (var name in material.ServerNames)
                    {
                        writer.WriteStringValue(name);
                    }

                    writer.WriteEndArray();
                    writer.WriteEndObject();
                });
            }

            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }
}
