using System.Security.Cryptography.X509Certificates;
using System.Text.Json;

namespace Mantle.Sealing.Tests.Cli;

/// <summary>The owner's commands, run as the real process.</summary>
public sealed class SealingCommandsTests : IDisposable
{
    private const int Success = 0;
    private const int UsageError = 2;
    private const int VerificationFailed = 3;

    private readonly TempFolder _folder = new();

    public static TheoryData<string, Mantle.Sealing.SealingErrorCode, string> Damages => DamagedSealedFolder.Damages;

    [Fact]
    public async Task KeysCreate_PrintsIdOfOwnerOnlyKeyFile()
    {
        var result = await Run("keys", "create", "--out", "model.key");

        Assert.Equal(Success, result.ExitCode);
        var id = result.Stdout.Trim();
        Assert.Matches("^[0-9a-f]{16}$", id);
        using var key = Mantle.Sealing.Keys.ModelKey.Load(_folder.Combine("model.key"));
        Assert.Equal(id, key.Id);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_folder.Combine("model.key")));
    }

    [Fact]
    public async Task KeysCreate_ExistingFile_RefusedWithUsageError()
    {
        _folder.WriteFile("model.key", [1]);

        var result = await Run("keys", "create", "--out", "model.key", "--json");

        Assert.Equal(UsageError, result.ExitCode);
        Assert.Contains("exists already", result.Stderr, StringComparison.Ordinal);
        var error = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("error");
        Assert.Equal("file_unusable", error.GetProperty("code").GetString());
        Assert.Equal("OutputExists", error.GetProperty("detail_code").GetString());
    }

    [Fact]
    public async Task SigningCreate_WritesPairAndPrintsThumbprint()
    {
        var result = await Run("keys", "signing", "create", "--out", "owner.pem", "--json");

        Assert.Equal(Success, result.ExitCode);
        var json = JsonDocument.Parse(result.Stdout).RootElement;
        using var publicKey = Mantle.Sealing.Keys.OwnerPublicKey.Load(_folder.Combine("owner.pem.pub"));
        Assert.Equal(publicKey.Thumbprint, json.GetProperty("thumbprint").GetString());
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_folder.Combine("owner.pem")));
    }

    [Fact]
    public async Task SealInspectUnseal_Folder_RoundTrips()
    {
        await CreateKeys();
        var model = TestBytes.Random(300_000, seed: 5);
        _folder.WriteFile("model/model.onnx", model);
        _folder.WriteFile("model/data/weights.bin", TestBytes.Random(5, seed: 6));

        var seal = await Run("seal", "--in", "model", "--out", "sealed", "--key", "model.key", "--signing-key", "owner.pem",
            "--name", "resnet", "--version", "3", "--json");
        var inspect = await Run("inspect", "sealed", "--json");
        var unseal = await Run("unseal", "--in", "sealed", "--out", "plain", "--key", "model.key", "--owner-key", "owner.pem.pub", "--json");

        Assert.Equal(Success, seal.ExitCode);
        Assert.Contains("MB/s", seal.Stderr, StringComparison.Ordinal);
        var manifest = JsonDocument.Parse(inspect.Stdout).RootElement;
        Assert.Equal(Success, inspect.ExitCode);
        Assert.Equal("resnet", manifest.GetProperty("name").GetString());
        Assert.Equal("3", manifest.GetProperty("version").GetString());
        Assert.Equal("onnx", manifest.GetProperty("platform").GetString());
        Assert.False(manifest.GetProperty("signatureVerified").GetBoolean());
        Assert.Equal(["data/weights.bin", "model.onnx"], manifest.GetProperty("files").EnumerateArray().Select(f => f.GetProperty("path").GetString()));
        Assert.Equal(Success, unseal.ExitCode);
        Assert.True(JsonDocument.Parse(unseal.Stdout).RootElement.GetProperty("signatureVerified").GetBoolean());
        Assert.Equal(model, File.ReadAllBytes(_folder.Combine("plain", "model.onnx")));
        Assert.DoesNotContain(Convert.ToHexString(model.AsSpan(0, 16)), seal.Stdout + seal.Stderr + inspect.Stdout, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Inspect_WithOwnerKey_VerifiesSignature()
    {
        await SealSingleFile();

        var result = await Run("inspect", "sealed", "--owner-key", "owner.pem.pub", "--json");

        Assert.Equal(Success, result.ExitCode);
        Assert.True(JsonDocument.Parse(result.Stdout).RootElement.GetProperty("signatureVerified").GetBoolean());
        Assert.Contains("signature verified", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_WithOwnerKey_IntactFolder_SaysWhatItCheckedAndWhatNot()
    {
        using var sealedFolder = new DamagedSealedFolder(_folder);

        var result = await Run("inspect", "sealed", "--owner-key", "owner.pem.pub", "--json");

        Assert.Equal(Success, result.ExitCode);
        var json = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal(["signature", "fileSet", "headers", "sizes"], json.GetProperty("checked").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["ciphertext", "plaintextHashes"], json.GetProperty("notChecked").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("mantle unseal --key", json.GetProperty("notCheckedNote").GetString(), StringComparison.Ordinal);
        Assert.Contains("checked without the model key", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("NOT checked: the ciphertext", result.Stderr, StringComparison.Ordinal);
        Assert.Contains("'mantle unseal --key FILE --owner-key FILE.pub' checks them", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_WithoutOwnerKey_SaysNothingWasChecked()
    {
        using var sealedFolder = new DamagedSealedFolder(_folder);
        sealedFolder.Damage("truncated");

        var result = await Run("inspect", "sealed", "--json");

        Assert.Equal(Success, result.ExitCode);
        var json = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.False(json.GetProperty("signatureVerified").GetBoolean());
        Assert.Empty(json.GetProperty("checked").EnumerateArray());
        Assert.Contains("signature", json.GetProperty("notChecked").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("NOT checked: the signature, the file set, the headers and sizes", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task Inspect_WithOwnerKey_DamagedFolder_RefusedNamingTheFile(string damage, Mantle.Sealing.SealingErrorCode code, string message)
    {
        using var sealedFolder = new DamagedSealedFolder(_folder);
        sealedFolder.Damage(damage);

        var result = await Run("inspect", "sealed", "--owner-key", "owner.pem.pub", "--json");

        Assert.Equal(VerificationFailed, result.ExitCode);
        var error = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("error");
        Assert.Equal("refused", error.GetProperty("code").GetString());
        Assert.Equal(code.ToString(), error.GetProperty("detail_code").GetString());
        Assert.Contains(message, result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("signature verified", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unseal_TamperedFile_ExitsVerificationFailedAndWritesNothing()
    {
        await SealSingleFile();
        var sealedFile = _folder.Combine("sealed", "model.onnx.sealed");
        File.WriteAllBytes(sealedFile, TestBytes.FlipBit(File.ReadAllBytes(sealedFile), 200));

        var result = await Run("unseal", "--in", "sealed", "--out", "plain", "--key", "model.key", "--owner-key", "owner.pem.pub");

        Assert.Equal(VerificationFailed, result.ExitCode);
        Assert.Contains("Chunk 0 of 'model.onnx' failed authentication", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_folder.Combine("plain")));
    }

    [Fact]
    public async Task Unseal_OtherOwnerKey_ExitsVerificationFailed()
    {
        await SealSingleFile();
        await Run("keys", "signing", "create", "--out", "other.pem");

        var result = await Run("unseal", "--in", "sealed", "--out", "plain", "--key", "model.key", "--owner-key", "other.pem.pub", "--json");

        Assert.Equal(VerificationFailed, result.ExitCode);
        var error = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("error");
        Assert.Equal("refused", error.GetProperty("code").GetString());
        Assert.Equal("ManifestUntrustedSigner", error.GetProperty("detail_code").GetString());
    }

    [Fact]
    public async Task Unseal_WrongModelKey_NamesNeededKey()
    {
        await SealSingleFile();
        await Run("keys", "create", "--out", "other.key");

        var result = await Run("unseal", "--in", "sealed", "--out", "plain", "--key", "other.key", "--owner-key", "owner.pem.pub");

        Assert.Equal(UsageError, result.ExitCode);
        Assert.Contains("needs model key", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unseal_PrivateKeyAsOwnerKey_UsageErrorNamingPubFile()
    {
        await SealSingleFile();

        var result = await Run("unseal", "--in", "sealed", "--out", "plain", "--key", "model.key", "--owner-key", "owner.pem", "--json");

        Assert.Equal(UsageError, result.ExitCode);
        var error = JsonDocument.Parse(result.Stdout).RootElement.GetProperty("error");
        Assert.Equal("invalid_file", error.GetProperty("code").GetString());
        Assert.Equal("PrivateKeyGiven", error.GetProperty("detail_code").GetString());
        Assert.Equal("--owner-key", error.GetProperty("option").GetString());
        AssertNamesPubFile(result.Stderr);
        Assert.False(Directory.Exists(_folder.Combine("plain")));
    }

    [Fact]
    public async Task Inspect_PrivateKeyAsOwnerKey_UsageErrorNamingPubFile()
    {
        await SealSingleFile();

        var result = await Run("inspect", "sealed", "--owner-key", "owner.pem");

        Assert.Equal(UsageError, result.ExitCode);
        AssertNamesPubFile(result.Stderr);
        Assert.DoesNotContain("signature verified", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_NotSealedFolder_SaysSo()
    {
        Directory.CreateDirectory(_folder.Combine("plain"));

        var result = await Run("inspect", "plain");

        Assert.Equal(UsageError, result.ExitCode);
        Assert.Contains("has no mantle-manifest.json", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Seal_MissingRequiredOption_IsUsageError()
    {
        var result = await Run("seal", "--in", "x");

        Assert.Equal(UsageError, result.ExitCode);
        Assert.StartsWith("error: --out is required", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CertsCreate_WritesChainForServerAndClient()
    {
        var result = await Run("certs", "create", "--out", "tls", "--server-name", "model.example.org", "--client-name", "alice", "--san", "10.0.0.7", "--json");

        Assert.Equal(Success, result.ExitCode);
        using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(_folder.Combine("tls", "ca.crt")));
        using var server = X509Certificate2.CreateFromPemFile(_folder.Combine("tls", "server.crt"), _folder.Combine("tls", "server.key"));
        using var client = X509Certificate2.CreateFromPemFile(_folder.Combine("tls", "client.crt"), _folder.Combine("tls", "client.key"));
        Assert.True(server.HasPrivateKey);
        Assert.True(server.MatchesHostname("model.example.org"));
        Assert.False(server.MatchesHostname("other.example.org"));
        Assert.Contains("10.0.0.7", server.Extensions.OfType<X509SubjectAlternativeNameExtension>().Single().EnumerateIPAddresses().Select(a => a.ToString()));
        Assert.Contains("CN=alice", client.Subject, StringComparison.Ordinal);
        Assert.Equal("1.3.6.1.5.5.7.3.1", server.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages[0].Value);
        Assert.Equal("1.3.6.1.5.5.7.3.2", client.Extensions.OfType<X509EnhancedKeyUsageExtension>().Single().EnhancedKeyUsages[0].Value);
        foreach (var leaf in new[] { server, client })
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            Assert.True(chain.Build(leaf), string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation)));
        }

        foreach (var key in new[] { "ca.key", "server.key", "client.key" })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_folder.Combine("tls", key)));
        }
    }

    [Fact]
    public async Task CertsCreate_ForeignCa_DoesNotValidateLeaf()
    {
        await Run("certs", "create", "--out", "a", "--server-name", "localhost");
        await Run("certs", "create", "--out", "b", "--server-name", "localhost");
        using var otherCa = X509Certificate2.CreateFromPem(File.ReadAllText(_folder.Combine("b", "ca.crt")));
        using var server = X509Certificate2.CreateFromPem(File.ReadAllText(_folder.Combine("a", "server.crt")));
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(otherCa);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;

        Assert.False(chain.Build(server));
        Assert.True(server.MatchesHostname("localhost"));
    }

    public void Dispose() => _folder.Dispose();

    private static void AssertNamesPubFile(string stderr)
    {
        Assert.Contains("holds a private signing key", stderr, StringComparison.Ordinal);
        Assert.Contains("'.pub' file", stderr, StringComparison.Ordinal);
        Assert.Contains("must not leave the owner's machine", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", stderr, StringComparison.Ordinal);
    }

    private Task<ProcessResult> Run(params string[] args) => MantleProcess.RunAsync(
        new ChildProcessOptions
        {
            WorkingDirectory = _folder.Path,
            Environment = new Dictionary<string, string> { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1", ["TMPDIR"] = _folder.Path },
        },
        args);

    private async Task CreateKeys()
    {
        Assert.Equal(Success, (await Run("keys", "create", "--out", "model.key")).ExitCode);
        Assert.Equal(Success, (await Run("keys", "signing", "create", "--out", "owner.pem")).ExitCode);
    }

    private async Task SealSingleFile()
    {
        await CreateKeys();
        _folder.WriteFile("model.onnx", TestBytes.Random(70_000, seed: 8));
        var result = await Run("seal", "--in", "model.onnx", "--out", "sealed", "--key", "model.key", "--signing-key", "owner.pem", "--chunk-size", "65536");
        Assert.Equal(Success, result.ExitCode);
    }
}
