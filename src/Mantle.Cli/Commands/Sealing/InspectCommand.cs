using System.CommandLine;
using Mantle.Cli.CommandLine;
using Mantle.Sealing;
using Mantle.Sealing.Keys;
using Spectre.Console;

namespace Mantle.Cli.Commands.Sealing;

/// <summary>
/// <c>mantle inspect DIR</c>: shows a sealed folder's manifest without any key; with <c>--owner-key</c> it also checks
/// everything that needs no model key, and says what it did not check.
/// </summary>
internal static class InspectCommand
{
    /// <summary>What <c>--owner-key</c> checks, as the ids <c>--json</c> lists under <c>checked</c>.</summary>
    private static readonly string[] KeylessChecks = ["signature", "fileSet", "headers", "sizes"];

    /// <summary>What only the model key can check.</summary>
    private static readonly string[] ModelKeyChecks = ["ciphertext", "plaintextHashes"];

    private const string ModelKeyNote =
        "the ciphertext (every chunk's tag) and the plaintext sizes and SHA-256 need the model key: 'mantle unseal --key FILE --owner-key FILE.pub' checks them";

    public static Command Create()
    {
        var folder = new Argument<string>("DIR") { Description = "The sealed folder." }.InputFolder();
        var ownerKey = new Option<string?>("--owner-key")
        {
            Description = "Also check, without the model key, the signature against this public key (FILE.pub), the folder's files, and each sealed file's header and size.",
        }.InputFile();
        var json = SealingCli.JsonOption();
        var command = new Command("inspect", "Show a sealed model's manifest (name, version, files, key id, signer); needs no key.") { folder, ownerKey, json };
        command.SetAction((parseResult, _) =>
        {
            var asJson = parseResult.GetValue(json);
            var path = parseResult.GetValue(folder)!;
            var inspection = SealedModel.Inspect(path);
            var verified = false;
            if (parseResult.GetValue(ownerKey) is { } ownerKeyPath)
            {
                using var owner = OwnerPublicKey.Load(ownerKeyPath);
                using var noKeys = new ModelKeyRing();
                new SealedModelReader(owner, noKeys).VerifyWithoutModelKey(path);
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
                $"signer: {inspection.SignerKeyId} ({inspection.Algorithm}) — {(verified ? "signature verified" : "signature NOT verified (pass --owner-key to check)")}");
            SealingCli.Stderr.Write(table);
            if (verified)
            {
                SealingCli.Stderr.MarkupLineInterpolated(
                    $"checked without the model key: the signature, the file set ({manifest.Files.Count} sealed file(s) and the manifest, none missing or extra), each sealed file's header (format, algorithm, chunk size, key id, SHA-256 signed in the manifest) and size");
                SealingCli.Stderr.MarkupLineInterpolated($"NOT checked: {ModelKeyNote}");
            }
            else
            {
                SealingCli.Stderr.MarkupLineInterpolated(
                    $"NOT checked: the signature, the file set, the headers and sizes (pass --owner-key FILE.pub); {ModelKeyNote}");
            }

            if (asJson)
            {
                string[] checkedIds = verified ? KeylessChecks : [];
                string[] notCheckedIds = verified ? ModelKeyChecks : [.. KeylessChecks, .. ModelKeyChecks];
                SealingCli.WriteJson(writer => ManifestJson.Write(writer, manifest, inspection.SignerKeyId, verified, path, extra =>
                {
                    WriteArray(extra, "checked", checkedIds);
                    WriteArray(extra, "notChecked", notCheckedIds);
                    extra.WriteString("notCheckedNote", ModelKeyNote);
                }));
            }

            return Task.FromResult(ExitCodes.Success);
        });
        return command;
    }

    private static void WriteArray(System.Text.Json.Utf8JsonWriter writer, string name, string[] values)
    {
        writer.WriteStartArray(name);
        foreach (var value in values)
        {
            writer.WriteStringValue(value);
        }

        writer.WriteEndArray();
    }
}
