using System.CommandLine;
using Mantle.Cli.CommandLine;
using Mantle.Sealing.Keys;
using Spectre.Console;

namespace Mantle.Cli.Commands.Sealing;

/// <summary><c>mantle keys create --out FILE</c>: a fresh 256-bit model key; prints its id.</summary>
internal static class KeysCreateCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "The key file to create (mode 0600; never overwritten).", Required = true }.OutputFile();
        var json = SealingCli.JsonOption();
        var command = new Command("create", "Create a 256-bit model key file and print its key id.") { output, json };
        command.SetAction((parseResult, _) =>
        {
            var asJson = parseResult.GetValue(json);
            var path = parseResult.GetValue(output)!;
            using var key = ModelKey.Generate();
            key.Save(path);
            SealingCli.Stderr.MarkupLineInterpolated($"Created model key [bold]{key.Id}[/] in {path} (mode 0600). Keep it secret; seal with 'mantle seal --key {path}'.");
            if (asJson)
            {
                SealingCli.WriteJson(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("keyId", key.Id);
                    writer.WriteString("path", Path.GetFullPath(path));
                    writer.WriteEndObject();
                });
            }
            else
            {
                Console.Out.WriteLine(key.Id);
            }

            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
