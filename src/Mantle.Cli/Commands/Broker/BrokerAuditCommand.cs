using System.CommandLine;
using System.Text.Json;
using Mantle.Cli.CommandLine;
using Mantle.KeyBroker;
using Spectre.Console;

namespace Mantle.Cli.Commands.Broker;

/// <summary><c>mantle broker audit [--verify] [--json]</c>: prints the audit log and checks its hash chain locally.</summary>
internal static class BrokerAuditCommand
{
    public static Command Create()
    {
        var broker = BrokerCli.BrokerOption();
        var credential = BrokerCli.CredentialOption();
        var json = BrokerCli.JsonOption();
        var verify = new Option<bool>("--verify") { Description = "Recompute the hash chain here; exit 3 if an entry was edited or deleted." };
        var command = new Command("audit", "Read the broker's append-only audit log.") { broker, credential, verify, json };
        command.SetAction(async (parse, ct) =>
        {
            using var admin = BrokerCli.CreateAdmin(parse, broker, credential);
            var entries = await admin.ReadAuditAsync(ct);
            AuditVerification? result = parse.GetValue(verify) ? AuditChain.Verify(entries) : null;
            if (result is { IsValid: false })
            {
                throw new CliException(new CliError(CliErrorCodes.Refused, $"Audit chain BROKEN at entry {result.BrokenAt}: {result.Problem}"))
                {
                    JsonFields = writer =>
                    {
                        writer.WriteBoolean("valid", false);
                        writer.WriteNumber("entries", result.VerifiedEntries);
                        writer.WriteNumber("brokenAt", result.BrokenAt ?? 0);
                        writer.WriteString("headHash", result.HeadHash);
                        writer.WriteString("problem", result.Problem);
                    },
                };
            }

            if (parse.GetValue(json))
            {
                object output = result is null
                    ? entries
                    : new { valid = result.IsValid, entries = result.VerifiedEntries, brokenAt = result.BrokenAt, headHash = result.HeadHash, problem = result.Problem };
                Console.WriteLine(JsonSerializer.Serialize(output, BrokerCli.Json));
            }
            else if (result is null)
            {
                var table = new Table().AddColumns("seq", "time", "actor", "action", "subject", "outcome", "details");
                foreach (var e in entries)
                {
                    table.AddRow(e.Seq.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Time, Markup.Escape(e.Actor), e.Action,
                        Markup.Escape(e.Subject), e.Outcome, Markup.Escape(e.Details));
                }

                AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) }).Write(table);
            }
            else
            {
                await Console.Error.WriteLineAsync($"Audit chain verifies: {result.VerifiedEntries} entries, head hash {result.HeadHash}.");
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
