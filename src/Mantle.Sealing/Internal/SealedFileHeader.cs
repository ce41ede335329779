using System.Buffers.Binary;
using System.Security.Cryptography;
using Mantle.Sealing.Format;

namespace Mantle.Sealing.Internal;

/// <summary>
/// The 56-byte header: magic (8) ‖ version (1) ‖ algorithm (1) ‖ reserved zero (2) ‖ chunk size u32 BE (4) ‖
/// key id (8) ‖ salt (32). Its bytes are the AAD of every chunk.
/// </summary>
internal sealed class SealedFileHeader
{
    public const int SaltSize = 32;
    public const int KeyIdSize = 8;

    private SealedFileHeader(byte[] bytes)
    {
        Bytes = bytes;
    }

    public static ReadOnlySpan<byte> Magic => "MNTLSEAL"u8;

    public byte[] Bytes { get; }

    public int ChunkSize => (int)BinaryPrimitives.ReadUInt32BigEndian(Bytes.AsSpan(12, 4));

    public string KeyId => Convert.ToHexStringLower(Bytes.AsSpan(16, KeyIdSize));

    public ReadOnlySpan<byte> Salt => Bytes.AsSpan(24, SaltSize);

    public static SealedFileHeader Create(string keyId, int chunkSize)
    {
        ValidateChunkSize(chunkSize, "the requested chunk size");
        var bytes = new byte[SealedFormat.HeaderSize];
        Magic.CopyTo(bytes);
        bytes[8] = SealedFormat.Version;
        bytes[9] = SealedFormat.AlgorithmAes256Gcm;
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(12, 4), (uint)chunkSize);
        Convert.FromHexString(keyId).CopyTo(bytes.AsSpan(16, KeyIdSize));
        RandomNumberGenerator.Fill(bytes.AsSpan(24, SaltSize));
        return new SealedFileHeader(bytes);
    }

    public static SealedFileHeader Parse(ReadOnlySpan<byte> bytes, string path)
    {
        if (bytes.Length < SealedFormat.HeaderSize)
        {
            if (bytes.Length < Magic.Length || !bytes[..Magic.Length].SequenceEqual(Magic))
            {
                throw new SealingException(SealingErrorCode.NotSealedFile,
                    $"'{path}' is not a Mantle sealed file (it does not start with MNTLSEAL); seal it with 'mantle seal'.");
            }

            throw new SealingException(SealingErrorCode.Truncated,
                $"'{path}' is truncated: it ends inside the {SealedFormat.HeaderSize}-byte header.");
        }

        if (!bytes[..Magic.Length].SequenceEqual(Magic))
        {
            throw new SealingException(SealingErrorCode.NotSealedFile,
                $"'{path}' is not a Mantle sealed file (it does not start with MNTLSEAL); seal it with 'mantle seal'.");
        }

        if (bytes[8] != SealedFormat.Version)
        {
            throw new SealingException(SealingErrorCode.UnsupportedFormat,
                $"'{path}' has sealed format version {bytes[8]}; this Mantle reads version {SealedFormat.Version}. Use a matching Mantle release.");
        }

        if (bytes[9] != SealedFormat.AlgorithmAes256Gcm)
        {
            throw new SealingException(SealingErrorCode.UnsupportedFormat,
                $"'{path}' names encryption algorithm {bytes[9]}; this Mantle supports only {SealedFormat.AlgorithmAes256Gcm} (AES-256-GCM).");
        }

        if (bytes[10] != 0 || bytes[11] != 0)
        {
            throw new SealingException(SealingErrorCode.InvalidHeader,
                $"'{path}' has a damaged header: its reserved bytes 10-11 are not zero.");
        }

        var header = new SealedFileHeader(bytes[..SealedFormat.HeaderSize].ToArray());
        ValidateChunkSize(header.ChunkSize, $"'{path}' declares a chunk size that");
        return header;
    }

    private static void ValidateChunkSize(int chunkSize, string subject)
    {
        if (chunkSize is < SealedFormat.MinChunkSize or > SealedFormat.MaxChunkSize)
        {
            throw new SealingException(SealingErrorCode.InvalidHeader,
                $"{subject} of {(uint)chunkSize} bytes is outside {SealedFormat.MinChunkSize}..{SealedFormat.MaxChunkSize}; the header is damaged or the value is wrong.");
        }
    }
}
