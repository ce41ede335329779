using Mantle.Attestation.Sim;

namespace Mantle.Attestation.Tests.Sim;

public class SimulatedTeeTests
{
    [Fact]
    public void LoadOrCreate_MissingFile_CreatesOwnerOnlyKeyAndReusesIt()
    {
        using var temp = new TempFolder();
        var path = temp.Combine("conf/mantle/sim-platform-key.pem");

        using var first = SimulatedTee.LoadOrCreate(path);
        using var second = SimulatedTee.LoadOrCreate(path);

        Assert.True(first.CanSign);
        Assert.Equal(first.PlatformKeyId, second.PlatformKeyId);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }

        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
    }

    [Fact]
    public void Load_MissingFile_ThrowsProviderUnavailableNamingPath()
    {
        using var temp = new TempFolder();
        var path = temp.Combine("absent.pem");

        var error = Assert.Throws<AttestationException>(() => SimulatedTee.Load(path));

        Assert.Equal(AttestationErrorCode.ProviderUnavailable, error.Code);
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("--sim-key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPem_PublicKey_CanVerifyButNotSign()
    {
        using var platform = SimulatedTee.CreateEphemeral();

        using var publicOnly = SimulatedTee.FromPem(platform.ExportPublicKeyPem());

        Assert.False(publicOnly.CanSign);
        Assert.Equal(platform.PlatformKeyId, publicOnly.PlatformKeyId);
        Assert.Throws<ArgumentException>(() => new SimEvidenceProvider(publicOnly));
    }

    [Fact]
    public void FromPem_NotAKey_ThrowsWithoutEchoingText()
    {
        var error = Assert.Throws<AttestationException>(() => SimulatedTee.FromPem("-----BEGIN NONSENSE-----\nsecret-ish\n-----END NONSENSE-----"));

        Assert.DoesNotContain("secret-ish", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromPem_P256Key_IsRefused()
    {
        using var p256 = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);

        var error = Assert.Throws<AttestationException>(() => SimulatedTee.FromPem(p256.ExportPkcs8PrivateKeyPem()));

        Assert.Contains("P-384", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultKeyPath_IsInMantleConfigFolder()
    {
        var path = SimulatedTee.DefaultKeyPath;

        Assert.EndsWith(Path.Combine("mantle", "sim-platform-key.pem"), path, StringComparison.Ordinal);
        var xdg = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME");
        if (!string.IsNullOrEmpty(xdg))
        {
            Assert.StartsWith(xdg, path, StringComparison.Ordinal);
        }
    }
}
