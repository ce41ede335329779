using Mantle.Sealing.Keys;

namespace Mantle.Sealing.Tests;

/// <summary><see cref="SealedModelReader.VerifyWithoutModelKey"/>: what can be checked with the owner's public key alone.</summary>
public sealed class VerifyWithoutModelKeyTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly DamagedSealedFolder _sealed;
    private readonly ModelKeyRing _noKeys = new();

    public VerifyWithoutModelKeyTests()
    {
        _sealed = new DamagedSealedFolder(_folder);
    }

    public static TheoryData<string, SealingErrorCode, string> Damages => DamagedSealedFolder.Damages;

    [Fact]
    public void VerifyWithoutModelKey_IntactFolderWithNestedAndEmptyFiles_Passes()
    {
        using var model = new SealedModelFixture();

        var manifest = new SealedModelReader(model.Signer.PublicKey, _noKeys).VerifyWithoutModelKey(model.Output);

        Assert.Equal(model.SignedManifest.Files.Select(f => f.Path), manifest.Files.Select(f => f.Path));
    }

    [Theory]
    [MemberData(nameof(Damages))]
    public void VerifyWithoutModelKey_DamagedFolder_RefusedNamingTheFile(string damage, SealingErrorCode code, string message)
    {
        _sealed.Damage(damage);

        var error = Assert.Throws<SealingException>(() => Reader().VerifyWithoutModelKey(_sealed.Folder));

        Assert.Equal(code, error.Code);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyWithoutModelKey_HeaderFromAnotherModel_NamesBothKeyIds()
    {
        _sealed.Damage("header-from-other-model");

        var error = Assert.Throws<SealingException>(() => Reader().VerifyWithoutModelKey(_sealed.Folder));

        Assert.Contains($"sealed with model key {_sealed.OtherModelKeyId}, but the signed manifest names model key {_sealed.Key.Id}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void VerifyWithoutModelKey_OtherOwnerKey_RefusedBeforeAnyFileIsRead()
    {
        using var other = OwnerSigningKey.Generate();
        _sealed.Damage("truncated");

        var error = Assert.Throws<SealingException>(() => new SealedModelReader(other.PublicKey, _noKeys).VerifyWithoutModelKey(_sealed.Folder));

        Assert.Equal(SealingErrorCode.ManifestUntrustedSigner, error.Code);
    }

    [Fact]
    public async Task VerifyWithoutModelKey_CiphertextAltered_PassesWhileReadAsyncRefuses()
    {
        // The documented limit: a chunk's tag can only be checked with the model key.
        var bytes = File.ReadAllBytes(_sealed.SealedFile);
        bytes[^1] ^= 0x01;
        File.WriteAllBytes(_sealed.SealedFile, bytes);
        using var keys = ModelKeyRing.Load([_folder.Combine("model.key")]);

        Reader().VerifyWithoutModelKey(_sealed.Folder);
        var error = await Assert.ThrowsAsync<SealingException>(() => new SealedModelReader(_sealed.Signer.PublicKey, keys).ReadAsync(_sealed.Folder));

        Assert.Equal(SealingErrorCode.ChunkAuthenticationFailed, error.Code);
    }

    [Fact]
    public async Task ReadAsync_HeaderFromAnotherModel_RefusedByTheSameCheck()
    {
        _sealed.Damage("header-from-other-model");
        using var keys = ModelKeyRing.Load([_folder.Combine("model.key")]);

        var error = await Assert.ThrowsAsync<SealingException>(() => new SealedModelReader(_sealed.Signer.PublicKey, keys).ReadAsync(_sealed.Folder));

        Assert.Equal(SealingErrorCode.HeaderMismatch, error.Code);
        Assert.Contains("'model.onnx' was sealed with model key", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        _noKeys.Dispose();
        _sealed.Dispose();
        _folder.Dispose();
    }

    private SealedModelReader Reader() => new(_sealed.Signer.PublicKey, _noKeys);
}
