using System.CommandLine;
using Mantle.Sealing;
using Mantle.Sealing.Keys;
using Spectre.Console;

namespace Mantle.Cli.Commands.Sealing;

/// <summary><c>mantle inspect DIR</c>: shows a sealed folder's manifest without any key.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("dir") { Description = "The sealed folder." };
        var ownerKey = new Option<string?>("--owner-key") { Description = "Also verify the signature and the folder's files against this public key (FILE.pub)." };
        var json = SealingCli.JsonOption();
        var command = new Command("inspect", "Show a sealed model's manifest (name, version, files, key id, signer); needs no key.") { folder, ownerKey, json };
        command.SetAction((parseResult, _) => SealingCli.RunAsync(parseResult, json, asJson =>
        {
            var path = parseResult.GetValue(folder)!;
            var inspection = SealedModel.Inspect(path);
            bool? verified = null;
            if (parseResult.GetValue(ownerKey) is { } ownerKeyPath)
            {
                using var owner = OwnerPublicKey.Load(ownerKeyPath);
                using var noKeys = new ModelKeyRing();
                new SealedModelReader(owner, noKeys).VerifyManifest(path);
                verified = true;
            }

            var manifest = inspection.Manifest;
            var table = new Table().AddColumns("path", "size", "sha256", "sealed file");
            foreach (var file in manifest.Files)
            {
                table.AddRow(Markup.Escape(file.Path), file.Size.ToString("N0", System.Globalization.CultureInfo.InvariantCulture), file.Sha256[..16] + "…", Markup.Escape(file.SealedName));
            }

            SealingCli.Stderr.MarkupLineInterpolated($"[bold]{manifest.Name}[/] version {manifest.Version} ({manifest.Platform}), sealed {manifest.CreatedAt:u}");
            SealingCli.Stderr.MarkupLineInterpolated($"model key id: {manifest.KeyId}");
            SealingCli.Stderr.MarkupLineInterpolated(
                $"signer: {inspection.SignerKeyId} ({inspection.Algorithm}) — {(verified == true ? "signature verified" : "signature NOT verified (pass --owner-key to check)")}");
            SealingCli.Stderr.Write(table);
            if (asJson)
            {
                SealingCli.WriteJson(writer => ManifestJson.Write(writer, manifest, inspection.SignerKeyId, verified ?? false, path));
            }

            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }
}
