using System.CommandLine;
using Mantle.Cli.CommandLine;
using Mantle.KeyBroker;

namespace Mantle.Cli.Commands.Broker;

/// <summary><c>mantle broker init --out DIR</c>: creates the broker's keys, CA, TLS certificate and admin credential.</summary>
internal static class BrokerInitCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "Folder to create (files are written with mode 0600).", Required = true }.OutputFolder();
        var url = new Option<string>("--broker-url") { Description = "Broker URL written into the admin credential.", DefaultValueFactory = _ => "https://127.0.0.1:8443" }.HttpUrl();
        var dns = new Option<string[]>("--dns") { Description = "Extra DNS names or IP addresses for the broker's TLS certificate.", AllowMultipleArgumentsPerToken = true }.HostNames();
        var allowSim = new Option<bool>("--allow-sim") { Description = "Make the default policy accept the simulated TEE (development only; no security)." };
        var force = new Option<bool>("--force") { Description = "Replace an existing configuration (stored resources become unreadable)." };
        var command = new Command("init", "Create a broker configuration folder: master key, CA, TLS certificate, token signing key, admin credential.")
        {
            output, url, dns, allowSim, force,
        };
        command.SetAction(async (parse, ct) =>
        {
            var options = new BrokerInitOptions { BrokerUrl = parse.GetValue(url)!, AllowSim = parse.GetValue(allowSim), Overwrite = parse.GetValue(force) };
            foreach (var name in parse.GetValue(dns) ?? [])
            {
                options.DnsNames.Add(name);
            }

            var dir = parse.GetValue(output)!;
            string credential;
            try
            {
                credential = BrokerInitializer.Initialize(dir, options);
            }
            catch (InvalidOperationException ex)
            {
                throw new CliException(new CliError(CliErrorCodes.FileUnusable, ex.Message) { Option = "--out", Path = dir }, ex);
            }

            await Console.Error.WriteLineAsync($"Broker configuration written to {dir}; admin credential: {credential}");
            await Console.Error.WriteLineAsync($"Start it with: mantle broker serve --config {dir}");
            return ExitCodes.Success;
        });
        return command;
    }
}
