using Mantle.Sealing.Format;
using Mantle.Sealing.Keys;

namespace Mantle.Sealing.Tests;

/// <summary>
/// A model file sealed three times into one folder (<c>sealed</c>, <c>other-version</c> with the same keys,
/// <c>other-model</c> with another model key), with the owner's key files saved as the CLI takes them, and the
/// ways a host can damage <c>sealed</c> that need no model key to notice.
/// </summary>
internal sealed class DamagedSealedFolder : IDisposable
{
    public const string SealedName = "model.onnx.sealed";
    public const int ChunkSize = 1024;

    private readonly TempFolder _folder;

    public DamagedSealedFolder(TempFolder folder)
    {
        _folder = folder;
        Model = TestBytes.Random((2 * ChunkSize) + 300, seed: System.Random.Shared.Next());
        folder.WriteFile("in/model.onnx", Model);
        Key.Save(folder.Combine("model.key"));
        Signer.Save(folder.Combine("owner.pem"));
        Seal("sealed", Key);
        Seal("other-version", Key);
        using var otherKey = ModelKey.Generate();
        Seal("other-model", otherKey);
        OtherModelKeyId = otherKey.Id;
    }

    /// <summary>Every damage with the code it is refused with and a part of the message that names the file.</summary>
    public static TheoryData<string, SealingErrorCode, string> Damages { get; } = new()
    {
        { "truncated", SealingErrorCode.Truncated, $"'{SealedName}' is truncated" },
        { "cut-inside-header", SealingErrorCode.Truncated, $"'{SealedName}' is truncated: it ends inside the" },
        { "extended", SealingErrorCode.TrailingData, $"'{SealedName}' has 7 bytes more than" },
        { "header-from-other-version", SealingErrorCode.HeaderMismatch, $"The header of '{SealedName}' does not match the signed manifest" },
        { "file-from-other-version", SealingErrorCode.HeaderMismatch, $"The header of '{SealedName}' does not match the signed manifest" },
        { "header-from-other-model", SealingErrorCode.HeaderMismatch, $"'{SealedName}' was sealed with model key" },
        { "wrong-key-id", SealingErrorCode.HeaderMismatch, $"'{SealedName}' was sealed with model key" },
        { "salt-altered", SealingErrorCode.HeaderMismatch, $"The header of '{SealedName}' does not match the signed manifest" },
        { "chunk-size-altered", SealingErrorCode.InvalidHeader, $"'{SealedName}' declares a chunk size" },
        { "format-version-altered", SealingErrorCode.UnsupportedFormat, $"'{SealedName}' has sealed format version 2" },
        { "plaintext-in-place", SealingErrorCode.NotSealedFile, $"'{SealedName}' is not a Mantle sealed file" },
        { "missing", SealingErrorCode.FileMissing, $"'{SealedName}' listed in the signed manifest is missing" },
        { "extra", SealingErrorCode.UnexpectedFile, "'notes.txt', which the signed manifest does not list" },
    };

    public byte[] Model { get; }

    public ModelKey Key { get; } = ModelKey.Generate();

    public OwnerSigningKey Signer { get; } = OwnerSigningKey.Generate();

    public string OtherModelKeyId { get; }

    public string Folder => _folder.Combine("sealed");

    public string SealedFile => _folder.Combine("sealed", SealedName);

    public void Damage(string kind)
    {
        var bytes = File.ReadAllBytes(SealedFile);
        switch (kind)
        {
            case "truncated":
                File.WriteAllBytes(SealedFile, bytes[..^10]);
                break;
            case "cut-inside-header":
                File.WriteAllBytes(SealedFile, bytes[..(SealedFormat.HeaderSize - 6)]);
                break;
            case "extended":
                File.WriteAllBytes(SealedFile, [.. bytes, .. new byte[7]]);
                break;
            case "header-from-other-version":
                File.WriteAllBytes(SealedFile, [.. Header("other-version"), .. bytes[SealedFormat.HeaderSize..]]);
                break;
            case "file-from-other-version":
                File.Copy(_folder.Combine("other-version", SealedName), SealedFile, overwrite: true);
                break;
            case "header-from-other-model":
                File.WriteAllBytes(SealedFile, [.. Header("other-model"), .. bytes[SealedFormat.HeaderSize..]]);
                break;
            case "wrong-key-id":
                bytes[20] ^= 0x01;
                File.WriteAllBytes(SealedFile, bytes);
                break;
            case "salt-altered":
                bytes[40] ^= 0x01;
                File.WriteAllBytes(SealedFile, bytes);
                break;
            case "chunk-size-altered":
                bytes[12] = 0x7f;
                File.WriteAllBytes(SealedFile, bytes);
                break;
            case "format-version-altered":
                bytes[8] = 2;
                File.WriteAllBytes(SealedFile, bytes);
                break;
            case "plaintext-in-place":
                File.WriteAllBytes(SealedFile, Model);
                break;
            case "missing":
                File.Delete(SealedFile);
                break;
            case "extra":
                _folder.WriteFile("sealed/notes.txt", [1, 2, 3]);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown damage");
        }
    }

    public void Dispose()
    {
        Key.Dispose();
        Signer.Dispose();
    }

    private byte[] Header(string folder) => File.ReadAllBytes(_folder.Combine(folder, SealedName))[..SealedFormat.HeaderSize];

    private void Seal(string output, ModelKey key) =>
        ModelSealer.SealAsync(_folder.Combine("in", "model.onnx"), _folder.Combine(output), key, Signer, new ModelSealOptions { Name = "m", ChunkSize = ChunkSize })
            .GetAwaiter().GetResult();
}
