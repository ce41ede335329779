using System.Security.Cryptography;
using Mantle.Sealing.Keys;

namespace Mantle.Sealing.Tests.Keys;

public sealed class OwnerSigningKeyTests : IDisposable
{
    private readonly TempFolder _folder = new();

    [Fact]
    public void SaveThenLoad_PrivateAndPublic_ShareThumbprint()
    {
        using var key = OwnerSigningKey.Generate();
        var path = _folder.Combine("owner.pem");

        key.Save(path);
        using var loaded = OwnerSigningKey.Load(path);
        using var publicKey = OwnerPublicKey.Load(path + ".pub");

        Assert.Equal(key.PublicKey.Thumbprint, loaded.PublicKey.Thumbprint);
        Assert.Equal(key.PublicKey.Thumbprint, publicKey.Thumbprint);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", publicKey.Thumbprint);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.StartsWith("-----BEGIN PRIVATE KEY-----", File.ReadAllText(path), StringComparison.Ordinal);
        Assert.StartsWith("-----BEGIN PUBLIC KEY-----", File.ReadAllText(path + ".pub"), StringComparison.Ordinal);
    }

    [Fact]
    public void Thumbprint_MatchesRfc7638Construction()
    {
        using var key = OwnerSigningKey.Generate();
        var parameters = key.Key.ExportParameters(false);
        var jwk = $"{{\"crv\":\"P-384\",\"kty\":\"EC\",\"x\":\"{Jose.Base64Url.Encode(parameters.Q.X)}\",\"y\":\"{Jose.Base64Url.Encode(parameters.Q.Y)}\"}}";

        var expected = Jose.Base64Url.Encode(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(jwk)));

        Assert.Equal(expected, key.PublicKey.Thumbprint);
    }

    [Fact]
    public void Load_P256Key_IsRefused()
    {
        using var p256 = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var path = _folder.WriteFile("p256.pem", System.Text.Encoding.ASCII.GetBytes(p256.ExportPkcs8PrivateKeyPem()));

        var error = Assert.Throws<SealingException>(() => OwnerSigningKey.Load(path));

        Assert.Equal(SealingErrorCode.InvalidSigningKey, error.Code);
        Assert.Contains("P-384", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_PublicKeyAsSigningKey_IsRefused()
    {
        using var key = OwnerSigningKey.Generate();
        var path = _folder.Combine("owner.pem");
        key.Save(path);

        var error = Assert.Throws<SealingException>(() => OwnerSigningKey.Load(path + ".pub"));

        Assert.Equal(SealingErrorCode.InvalidSigningKey, error.Code);
        Assert.Contains("not a PEM ECDSA private key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadPublic_Garbage_IsRefused()
    {
        var path = _folder.WriteFile("bad.pub", "hello"u8.ToArray());

        var error = Assert.Throws<SealingException>(() => OwnerPublicKey.Load(path));

        Assert.Equal(SealingErrorCode.InvalidSigningKey, error.Code);
        Assert.Contains(".pub", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pkcs8")]
    [InlineData("sec1")]
    [InlineData("encrypted")]
    [InlineData("public-then-private")]
    public void LoadPublic_PrivateKey_RefusedNamingPubFile(string form)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var pem = form switch
        {
            "pkcs8" => key.ExportPkcs8PrivateKeyPem(),
            "sec1" => key.ExportECPrivateKeyPem(),
            "encrypted" => key.ExportEncryptedPkcs8PrivateKeyPem("secret", new PbeParameters(PbeEncryptionAlgorithm.Aes256Cbc, HashAlgorithmName.SHA256, 1000)),
            _ => key.ExportSubjectPublicKeyInfoPem() + "\n" + key.ExportPkcs8PrivateKeyPem(),
        };
        var path = _folder.WriteFile("owner.pem", System.Text.Encoding.ASCII.GetBytes(pem));

        var error = Assert.Throws<SealingException>(() => OwnerPublicKey.Load(path));

        Assert.Equal(SealingErrorCode.PrivateKeyGiven, error.Code);
        Assert.Contains($"'{path}' holds a private signing key", error.Message, StringComparison.Ordinal);
        Assert.Contains("'.pub' file", error.Message, StringComparison.Ordinal);
        Assert.Contains("must not leave the owner's machine", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadPublic_SavedPrivateKey_RefusedWhileItsPubFileLoads()
    {
        using var key = OwnerSigningKey.Generate();
        var path = _folder.Combine("owner.pem");
        key.Save(path);

        var error = Assert.Throws<SealingException>(() => OwnerPublicKey.Load(path));
        using var publicKey = OwnerPublicKey.Load(path + ".pub");

        Assert.Equal(SealingErrorCode.PrivateKeyGiven, error.Code);
        Assert.Equal(key.PublicKey.Thumbprint, publicKey.Thumbprint);
    }

    public void Dispose() => _folder.Dispose();
}
