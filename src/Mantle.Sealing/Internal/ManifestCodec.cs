using System.Buffers;
using Base64Url = System.Buffers.Text.Base64Url;
using System.Globalization;
using System.Text.Json;
using Jose;
using Mantle.Sealing.Keys;
using Mantle.Sealing.Manifest;

namespace Mantle.Sealing.Internal;

/// <summary>
/// Writes and reads <c>mantle-manifest.json</c>: a JWS in the flattened JSON serialization (RFC 7515 section 7.2.2),
/// ES384, protected header {alg, kid = RFC 7638 thumbprint, typ = "mantle-manifest+jws"}.
/// </summary>
internal static class ManifestCodec
{
    public const string MediaType = "mantle-manifest+jws";
    public const int MaxManifestBytes = 16 * 1024 * 1024;

    public static byte[] Sign(SealedModelManifest manifest, OwnerSigningKey signingKey)
    {
        var payload = WritePayload(manifest);
        var headers = new Dictionary<string, object>
        {
            ["kid"] = signingKey.PublicKey.Thumbprint,
            ["typ"] = MediaType,
        };
        var compact = JWT.EncodeBytes(payload, signingKey.Key, JwsAlgorithm.ES384, headers);
        var parts = compact.Split('.');
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("protected", parts[0]);
            writer.WriteString("payload", parts[1]);
            writer.WriteString("signature", parts[2]);
            writer.WriteEndObject();
        }

        return [.. buffer.WrittenSpan, (byte)'\n'];
    }

    public static SealedModelManifest Verify(ReadOnlySpan<byte> envelope, OwnerPublicKey owner, string source)
    {
        var (compact, header) = ReadEnvelope(envelope, source);
        if (!string.Equals(header.Kid, owner.Thumbprint, StringComparison.Ordinal))
        {
            throw new SealingException(SealingErrorCode.ManifestUntrustedSigner,
                $"The manifest in '{source}' is signed by key {header.Kid}, not by the configured owner key {owner.Thumbprint}; " +
                "it was re-signed by someone else, or the wrong owner key is configured.");
        }

        byte[] payload;
        try
        {
            payload = JWT.DecodeBytes(compact, owner.Key, JwsAlgorithm.ES384);
        }
        catch (Exception error) when (error is JoseException or ArgumentException or FormatException or System.Security.Cryptography.CryptographicException)
        {
            throw new SealingException(SealingErrorCode.ManifestSignatureInvalid,
                $"The manifest signature in '{source}' does not verify with owner key {owner.Thumbprint}: the manifest was edited or forged. Re-copy the sealed model from the owner.",
                error);
        }

        return ReadPayload(payload, source);
    }

    public static ManifestInspection Inspect(ReadOnlySpan<byte> envelope, string source)
    {
        var (compact, header) = ReadEnvelope(envelope, source);
        byte[] payload;
        try
        {
            payload = Base64Url.DecodeFromChars(compact.Split('.')[1]);
        }
        catch (FormatException error)
        {
            throw Invalid(source, "its payload is not base64url", error);
        }

        return new ManifestInspection { Manifest = ReadPayload(payload, source), SignerKeyId = header.Kid, Algorithm = header.Alg };
    }

    private static (string Compact, (string Alg, string Kid) Header) ReadEnvelope(ReadOnlySpan<byte> envelope, string source)
    {
        string protectedPart, payloadPart, signaturePart;
        try
        {
            var reader = new Utf8JsonReader(envelope);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            protectedPart = RequiredString(root, "protected", source);
            payloadPart = RequiredString(root, "payload", source);
            signaturePart = RequiredString(root, "signature", source);
        }
        catch (JsonException error)
        {
            throw Invalid(source, "it is not valid JSON", error);
        }

        string alg, kid;
        try
        {
            using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(protectedPart));
            alg = RequiredString(header.RootElement, "alg", source);
            kid = RequiredString(header.RootElement, "kid", source);
            if (!header.RootElement.TryGetProperty("typ", out var typ) || typ.GetString() != MediaType)
            {
                throw Invalid(source, $"its signature header has no typ \"{MediaType}\"; it is not a Mantle manifest");
            }
        }
        catch (Exception error) when (error is JsonException or FormatException or InvalidOperationException)
        {
            throw Invalid(source, "its protected header is not base64url JSON", error);
        }

        if (alg != "ES384")
        {
            throw Invalid(source, $"it is signed with {alg}; Mantle manifests are signed with ES384");
        }

        return ($"{protectedPart}.{payloadPart}.{signaturePart}", (alg, kid));
    }

    private static byte[] WritePayload(SealedModelManifest manifest)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("format", SealedModelManifest.FormatName);
            writer.WriteString("name", manifest.Name);
            writer.WriteString("version", manifest.Version);
            writer.WriteString("platform", manifest.Platform);
            writer.WriteString("keyId", manifest.KeyId);
            writer.WriteString("createdAt", manifest.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            writer.WriteStartArray("files");
            foreach (var file in manifest.Files)
            {
                writer.WriteStartObject();
                writer.WriteString("path", file.Path);
                writer.WriteNumber("size", file.Size);
                writer.WriteString("sha256", file.Sha256);
                writer.WriteString("sealedName", file.SealedName);
                writer.WriteString("headerSha256", file.HeaderSha256);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static SealedModelManifest ReadPayload(byte[] payload, string source)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            var root = document.RootElement;
            if (RequiredString(root, "format", source) != SealedModelManifest.FormatName)
            {
                throw Invalid(source, $"its format is not \"{SealedModelManifest.FormatName}\"");
            }

            var platform = RequiredString(root, "platform", source);
            if (platform is not (SealedModelManifest.PlatformOnnx or SealedModelManifest.PlatformFiles))
            {
                throw Invalid(source, $"its platform \"{platform}\" is neither \"onnx\" nor \"files\"");
            }

            var keyId = RequiredString(root, "keyId", source);
            if (!IsHex(keyId, 16))
            {
                throw Invalid(source, "its keyId is not 16 lowercase hex digits");
            }

            var createdAt = DateTimeOffset.Parse(RequiredString(root, "createdAt", source), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
            if (!root.TryGetProperty("files", out var filesElement) || filesElement.ValueKind != JsonValueKind.Array || filesElement.GetArrayLength() == 0)
            {
                throw Invalid(source, "it lists no files");
            }

            var files = new List<SealedFileEntry>();
            var paths = new HashSet<string>(StringComparer.Ordinal);
            var sealedNames = new HashSet<string>(StringComparer.Ordinal);
            foreach (var element in filesElement.EnumerateArray())
            {
                var entry = new SealedFileEntry
                {
                    Path = RequiredString(element, "path", source),
                    Size = element.GetProperty("size").GetInt64(),
                    Sha256 = RequiredString(element, "sha256", source),
                    SealedName = RequiredString(element, "sealedName", source),
                    HeaderSha256 = RequiredString(element, "headerSha256", source),
                };
                var reason = RelativePath.Check(entry.Path) ?? RelativePath.Check(entry.SealedName);
                if (reason is not null || !entry.SealedName.EndsWith(".sealed", StringComparison.Ordinal))
                {
                    throw Invalid(source, $"the entry '{entry.Path}' has a path or sealed name that is not allowed ({reason ?? "sealed names end in .sealed"})");
                }

                if (entry.Size < 0 || !IsHex(entry.Sha256, 64) || !IsHex(entry.HeaderSha256, 64))
                {
                    throw Invalid(source, $"the entry '{entry.Path}' has a negative size or a hash that is not 64 lowercase hex digits");
                }

                if (!paths.Add(entry.Path) || !sealedNames.Add(entry.SealedName))
                {
                    throw Invalid(source, $"it lists '{entry.Path}' more than once");
                }

                files.Add(entry);
            }

            return new SealedModelManifest
            {
                Name = RequiredString(root, "name", source),
                Version = RequiredString(root, "version", source),
                Platform = platform,
                KeyId = keyId,
                CreatedAt = createdAt,
                Files = files,
            };
        }
        catch (Exception error) when (error is JsonException or FormatException or InvalidOperationException or KeyNotFoundException)
        {
            throw Invalid(source, "its payload is not a valid manifest (" + error.Message + ")", error);
        }
    }

    private static string RequiredString(JsonElement element, string name, string source)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty(name, out var value)
            || value.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(value.GetString()))
        {
            throw Invalid(source, $"it has no \"{name}\" string");
        }

        return value.GetString()!;
    }

    private static bool IsHex(string value, int length) =>
        value.Length == length && value.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    private static SealingException Invalid(string source, string reason, Exception? inner = null)
    {
        var message = $"'{source}' is not a valid Mantle manifest: {reason}.";
        return inner is null
            ? new SealingException(SealingErrorCode.ManifestInvalid, message)
            : new SealingException(SealingErrorCode.ManifestInvalid, message, inner);
    }
}
