using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Mantle.Sealing.Format;
using Mantle.Sealing.Keys;

namespace Mantle.Sealing.Internal;

/// <summary>
/// AES-256-GCM over the chunks of one file: key = HKDF-SHA256(model key, salt, "mantle/v1/file" ‖ path),
/// nonce = 11-byte big-endian counter ‖ last-chunk flag, AAD = header.
/// </summary>
internal sealed class ChunkCipher : IDisposable
{
    private static readonly byte[] InfoPrefix = "mantle/v1/file"u8.ToArray();

    private readonly AesGcm _aes;
    private readonly byte[] _aad;
    private readonly byte[] _nonce = new byte[12];

    public ChunkCipher(ModelKey key, SealedFileHeader header, string relativePath)
    {
        _aad = header.Bytes;
        var info = new byte[InfoPrefix.Length + Encoding.UTF8.GetByteCount(relativePath)];
        InfoPrefix.CopyTo(info, 0);
        Encoding.UTF8.GetBytes(relativePath, info.AsSpan(InfoPrefix.Length));
        Span<byte> fileKey = stackalloc byte[32];
        try
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, key.Bytes, fileKey, header.Salt, info);
            _aes = new AesGcm(fileKey, SealedFormat.TagSize);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fileKey);
        }
    }

    /// <summary>Encrypts one chunk into <paramref name="sealedChunk"/> (ciphertext ‖ tag, plaintext length + 16 bytes).</summary>
    public void Seal(long counter, bool final, ReadOnlySpan<byte> plaintext, Span<byte> sealedChunk)
    {
        SetNonce(counter, final);
        _aes.Encrypt(_nonce, plaintext, sealedChunk[..plaintext.Length], sealedChunk.Slice(plaintext.Length, SealedFormat.TagSize), _aad);
    }

    /// <summary>Decrypts one chunk (ciphertext ‖ tag); false if it does not authenticate with this counter and flag.</summary>
    public bool TryOpen(long counter, bool final, ReadOnlySpan<byte> sealedChunk, Span<byte> plaintext)
    {
        SetNonce(counter, final);
        var length = sealedChunk.Length - SealedFormat.TagSize;
        try
        {
            _aes.Decrypt(_nonce, sealedChunk[..length], sealedChunk[length..], plaintext[..length], _aad);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            // AesGcm clears the destination on failure; nothing unauthenticated is left behind.
            return false;
        }
    }

    public void Dispose() => _aes.Dispose();

    private void SetNonce(long counter, bool final)
    {
        _nonce.AsSpan(0, 3).Clear();
        BinaryPrimitives.WriteInt64BigEndian(_nonce.AsSpan(3, 8), counter);
        _nonce[11] = final ? (byte)1 : (byte)0;
    }
}
