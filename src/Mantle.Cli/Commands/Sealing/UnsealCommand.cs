using System.CommandLine;
using Mantle.Cli.CommandLine;
using Mantle.Sealing;
using Mantle.Sealing.Keys;
using Spectre.Console;

namespace Mantle.Cli.Commands.Sealing;

/// <summary><c>mantle unseal</c>: the owner's inverse of seal, refusing anything that does not verify.</summary>
internal static class UnsealCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--in") { Description = "The sealed folder (holding mantle-manifest.json).", Required = true }.InputFolder();
        var output = new Option<string>("--out") { Description = "The folder to write the original files into (must not exist or be empty).", Required = true }.OutputFolder();
        var keyFile = new Option<string>("--key") { Description = "The model key file.", Required = true }.InputFile();
        var ownerKey = new Option<string>("--owner-key") { Description = "The owner's public key (FILE.pub) the manifest must be signed with.", Required = true }.InputFile();
        var json = SealingCli.JsonOption();
        var command = new Command("unseal", "Verify and decrypt a sealed folder (the owner's check). Writes nothing if any check fails.")
        {
            input, output, keyFile, ownerKey, json,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var asJson = parseResult.GetValue(json);
            var inputPath = parseResult.GetValue(input)!;
            var outputPath = parseResult.GetValue(output)!;
            using var owner = OwnerPublicKey.Load(parseResult.GetValue(ownerKey)!);
            using var keys = ModelKeyRing.Load([parseResult.GetValue(keyFile)!]);
            var manifest = await new SealedModelReader(owner, keys).ExtractAsync(inputPath, outputPath, null, cancellationToken).ConfigureAwait(false);
            SealingCli.Stderr.MarkupLineInterpolated(
                $"Verified and unsealed [bold]{manifest.Name}[/] version {manifest.Version} ({manifest.Files.Count} file(s)) into {outputPath}; signature by {owner.Thumbprint}, every hash matches.");
            if (asJson)
            {
                SealingCli.WriteJson(writer => ManifestJson.Write(writer, manifest, owner.Thumbprint, verified: true, inputPath));
            }

            return ExitCodes.Success;
        });
        return command;
    }
}
