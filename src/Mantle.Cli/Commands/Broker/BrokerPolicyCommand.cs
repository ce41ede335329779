using System.CommandLine;
using Mantle.Cli.CommandLine;
using Mantle.Cli.Commands.Attestation;

namespace Mantle.Cli.Commands.Broker;

/// <summary><c>mantle broker policy set|show</c> for the default, certificate or a resource's policy.</summary>
internal static class BrokerPolicyCommand
{
    public static Command Create()
    {
        var command = new Command("policy", "Set or show attestation policies (default, per resource) and the certificate policy (allowed DNS names).");
        command.Subcommands.Add(Build("set"));
        command.Subcommands.Add(Build("show"));
        return command;
    }

    private static Command Build(string verb)
    {
        var broker = BrokerCli.BrokerOption();
        var credential = BrokerCli.CredentialOption();
        var isDefault = new Option<bool>("--default") { Description = "The default attestation policy (checked at attest, and for resources without their own)." };
        var certificate = new Option<bool>("--certificate") { Description = "The certificate policy: {\"dns_names\": [\"name\", \"*.domain\"]}." };
        var resource = new Option<string>("--resource") { Description = "The policy of resource REPO/TYPE/TAG." };
        var command = new Command(verb, verb == "set" ? "Set a policy from a JSON file." : "Print a policy (JSON) to stdout.")
        {
            broker, credential, isDefault, certificate, resource,
        };
        var file = new Argument<string>("POLICY.json") { Description = "The policy file." }.InputFile();
        if (verb == "set")
        {
            command.Arguments.Add(file);
        }

        command.SetAction(async (parse, ct) =>
        {
            var targets = new[] { parse.GetValue(isDefault) ? "default" : null, parse.GetValue(certificate) ? "certificate" : null, parse.GetValue(resource) is { } r ? "resource/" + r : null }
                .Where(t => t is not null).ToList();
            if (targets.Count != 1)
            {
                throw new UsageException("Name exactly one policy: --default, --certificate or --resource REPO/TYPE/TAG.");
            }

            using var admin = BrokerCli.CreateAdmin(parse, broker, credential);
            if (verb == "set")
            {
                await admin.SetPolicyAsync(targets[0]!, BrokerCli.ReadPolicy(parse.GetValue(file), "POLICY.json")!, ct);
                await Console.Error.WriteLineAsync($"Policy {targets[0]} set.");
            }
            else
            {
                Console.WriteLine(await admin.GetPolicyAsync(targets[0]!, ct));
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
