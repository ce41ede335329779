using System.CommandLine;
using Mantle.Cli.CommandLine;
using Mantle.Sealing.Keys;
using Spectre.Console;

namespace Mantle.Cli.Commands.Sealing;

/// <summary><c>mantle keys signing create --out FILE</c>: the owner's ECDSA P-384 signing key pair.</summary>
internal static class SigningKeyCreateCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "The private key file to create (PKCS#8 PEM, mode 0600); the public key goes to FILE.pub.", Required = true }.OutputFile();
        var json = SealingCli.JsonOption();
        var command = new Command("create", "Create the owner's manifest signing key pair (ECDSA P-384) and print its thumbprint.") { output, json };
        command.SetAction((parseResult, _) =>
        {
            var asJson = parseResult.GetValue(json);
            var path = parseResult.GetValue(output)!;
            using var key = OwnerSigningKey.Generate();
            key.Save(path);
            var thumbprint = key.PublicKey.Thumbprint;
            SealingCli.Stderr.MarkupLineInterpolated(
                $"Created signing key {path} (mode 0600) and public key {path}.pub, thumbprint [bold]{thumbprint}[/]. Give servers the .pub file (--owner-key).");
            if (asJson)
            {
                SealingCli.WriteJson(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("thumbprint", thumbprint);
                    writer.WriteString("privateKey", Path.GetFullPath(path));
                    writer.WriteString("publicKey", Path.GetFullPath(path + ".pub"));
                    writer.WriteEndObject();
                });
            }
            else
            {
                Console.Out.WriteLine(thumbprint);
            }

            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }
}
