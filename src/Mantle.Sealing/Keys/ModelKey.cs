using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mantle.Sealing.Internal;

namespace Mantle.Sealing.Keys;

/// <summary>
/// A 256-bit model key and its id. The id is the first 8 bytes, as 16 lowercase hex digits, of
/// SHA-256("mantle/v1/key-id" ‖ key): it names the key in headers and manifests without revealing it, and a key
/// file whose id does not match its key is refused. The key bytes live in a pinned array cleared on
/// <see cref="Dispose"/>.
/// </summary>
public sealed class ModelKey : IDisposable
{
    /// <summary>The key length in bytes (32: AES-256).</summary>
    public const int SizeInBytes = 32;

    /// <summary>The <c>type</c> value of a model key file.</summary>
    public const string FileType = "mantle-model-key";

    private static readonly byte[] IdContext = "mantle/v1/key-id"u8.ToArray();

    private readonly byte[] _key;
    private bool _disposed;

    private ModelKey(byte[] pinnedKey)
    {
        _key = pinnedKey;
        Id = ComputeId(pinnedKey);
    }

    /// <summary>The key id: 16 lowercase hex digits derived from the key.</summary>
    public string Id { get; }

    /// <summary>Creates a fresh random key.</summary>
    public static ModelKey Generate()
    {
        var key = GC.AllocateArray<byte>(SizeInBytes, pinned: true);
        RandomNumberGenerator.Fill(key);
        return new ModelKey(key);
    }

    /// <summary>Wraps a copy of 32 key bytes (for example a key released by a key broker).</summary>
    /// <exception cref="SealingException">The key is not 32 bytes (<see cref="SealingErrorCode.InvalidKey"/>).</exception>
    public static ModelKey FromBytes(ReadOnlySpan<byte> key)
    {
        if (key.Length != SizeInBytes)
        {
            throw new SealingException(SealingErrorCode.InvalidKey,
                $"A model key must be {SizeInBytes} bytes, not {key.Length}; create one with 'mantle keys create'.");
        }

        var copy = GC.AllocateArray<byte>(SizeInBytes, pinned: true);
        key.CopyTo(copy);
        return new ModelKey(copy);
    }

    /// <summary>Computes the id of a key without wrapping it.</summary>
    public static string ComputeId(ReadOnlySpan<byte> key)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(IdContext);
        sha.AppendData(key);
        sha.GetHashAndReset(hash);
        return Convert.ToHexStringLower(hash[..8]);
    }

    /// <summary>
    /// Reads a model key file: the JSON that <c>mantle keys create</c> writes (<c>type</c>, <c>keyId</c>,
    /// <c>key</c> in base64), or the bare 32 key bytes, as a key broker releases them
    /// (<c>mantle broker fetch</c>); the id of bare bytes is computed from the key.
    /// </summary>
    /// <exception cref="SealingException">The file is malformed or its id does not match its key.</exception>
    public static ModelKey Load(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new SealingException(SealingErrorCode.InvalidKey, $"Cannot read the model key file '{path}': {error.Message}", error);
        }

        try
        {
            // A key file in JSON is always longer than the 32 bare key bytes.
            return bytes.Length == SizeInBytes
                ? FromBytes(bytes)
                : Parse(Encoding.UTF8.GetString(bytes), path);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }

    /// <summary>Parses the text of a model key file; <paramref name="source"/> names it in errors.</summary>
    /// <exception cref="SealingException">The text is malformed or its id does not match its key.</exception>
    public static ModelKey Parse(string json, string source = "model key")
    {
        byte[]? raw = null;
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("type", out var type) || type.GetString() != FileType
                || !root.TryGetProperty("keyId", out var id) || id.ValueKind != JsonValueKind.String
                || !root.TryGetProperty("key", out var key) || key.ValueKind != JsonValueKind.String)
            {
                throw Invalid(source, $"it is not a model key file (expected an object with type \"{FileType}\", keyId and key)");
            }

            raw = key.GetBytesFromBase64();
            var model = FromBytes(raw);
            if (!string.Equals(model.Id, id.GetString(), StringComparison.Ordinal))
            {
                model.Dispose();
                throw Invalid(source, "its keyId does not match its key (the file was edited or damaged)");
            }

            return model;
        }
        catch (Exception error) when (error is JsonException or FormatException or InvalidOperationException)
        {
            throw Invalid(source, "it is not valid JSON with a base64 key");
        }
        finally
        {
            if (raw is not null)
            {
                CryptographicOperations.ZeroMemory(raw);
            }
        }
    }

    /// <summary>A copy of the 32 key bytes, to hand to a key broker (<c>mantle broker keys put</c>); clear it after use.</summary>
    public byte[] ExportBytes()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return (byte[])_key.Clone();
    }

    /// <summary>Writes this key to a new file readable only by its owner (mode 0600 on Unix).</summary>
    /// <exception cref="SealingException">The file exists already (<see cref="SealingErrorCode.OutputExists"/>).</exception>
    public void Save(string path)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var buffer = new ArrayBufferWriterCleared();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("type", FileType);
            writer.WriteNumber("version", 1);
            writer.WriteString("algorithm", "AES-256");
            writer.WriteString("keyId", Id);
            writer.WriteBase64String("key", _key);
            writer.WriteEndObject();
        }

        try
        {
            SecretFile.WriteNew(path, buffer.WrittenSpan);
        }
        finally
        {
            buffer.Clear();
        }
    }

    /// <summary>Clears the key bytes.</summary>
    public void Dispose()
    {
        if (!_disposed)
        {
            CryptographicOperations.ZeroMemory(_key);
            _disposed = true;
        }
    }

    /// <summary>The key bytes, for the format code in this assembly.</summary>
    internal ReadOnlySpan<byte> Bytes
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _key;
        }
    }

    private static SealingException Invalid(string source, string reason) =>
        new(SealingErrorCode.InvalidKey, $"The model key in '{source}' was refused: {reason}. Create a key with 'mantle keys create --out FILE'.");
}
