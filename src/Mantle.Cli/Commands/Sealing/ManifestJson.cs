using System.Text.Json;
using Mantle.Sealing.Manifest;

namespace Mantle.Cli.Commands.Sealing;

/// <summary>The JSON that seal, unseal and inspect print for a manifest.</summary>
internal static class ManifestJson
{
    /// <summary>Writes the manifest; <paramref name="extra"/>, when given, writes more properties after <c>signatureVerified</c> (what inspect checked).</summary>
    public static void Write(Utf8JsonWriter writer, SealedModelManifest manifest, string signer, bool? verified, string folder, Action<Utf8JsonWriter>? extra = null)
    {
        writer.WriteStartObject();
        writer.WriteString("folder", Path.GetFullPath(folder));
        writer.WriteString("name", manifest.Name);
        writer.WriteString("version", manifest.Version);
        writer.WriteString("platform", manifest.Platform);
        writer.WriteString("keyId", manifest.KeyId);
        writer.WriteString("signer", signer);
        if (verified is { } value)
        {
            writer.WriteBoolean("signatureVerified", value);
        }

        extra?.Invoke(writer);

        writer.WriteString("createdAt", manifest.CreatedAt);
        writer.WriteStartArray("files");
        foreach (var file in manifest.Files)
        {
            writer.WriteStartObject();
            writer.WriteString("path", file.Path);
            writer.WriteNumber("size", file.Size);
            writer.WriteString("sha256", file.Sha256);
            writer.WriteString("sealedName", file.SealedName);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
