using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Options;

namespace Mantle.KeyBroker.Tests;

/// <summary>
/// The broker checks every file of its configuration folder when it starts: a damaged file stops the start with
/// the file and the reason, instead of a broker that fails every request later.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class ConfigurationFileTests : IDisposable
{
    private static readonly string[] CheckedFiles = ["master.key", "ca.key", "ca.crt", "token-signing.key", "admin.pub", "default-policy.json"];

    private readonly string _template = Path.Combine(Path.GetTempPath(), "mantle-kb-files-" + Guid.NewGuid().ToString("N"));
    private readonly List<string> _folders = [];

    public ConfigurationFileTests() => BrokerInitializer.Initialize(_template, new BrokerInitOptions { AllowSim = true });

    public void Dispose()
    {
        foreach (var folder in _folders.Append(_template))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Property(MaxTest = 40)]
    public Property Start_FileWithGarbage_IsRefusedNamingTheFile() =>
        Prop.ForAll(Gen.Elements(CheckedFiles).ToArbitrary(), Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)).Resize(300).ToArbitrary(), (file, garbage) =>
        {
            var folder = Copy();
            File.WriteAllBytes(Path.Combine(folder, file), garbage);

            var message = StartFailure(folder);

            Assert.Contains(Path.Combine(folder, file), message, StringComparison.Ordinal);
        });

    public static TheoryData<string, string, string> Damages => new()
    {
        { "master.key", "not base64 at all!", "is not base64 text" },
        { "master.key", Convert.ToBase64String(new byte[16]), "must be 32 bytes" },
        { "ca.key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "ca.key is not an EC private key in PEM form" },
        { "ca.key", PublicKeyPem(), "holds a public key where the private key is expected" },
        { "ca.crt", "hello", "ca.crt is not a PEM certificate" },
        { "ca.crt", OtherCaPem(), "does not match ca.key" },
        { "token-signing.key", PrivateKeyPem(ECCurve.NamedCurves.nistP256), "needs a P-384 key" },
        { "admin.pub", "-----BEGIN PUBLIC KEY-----\n-----END PUBLIC KEY-----\n", "admin.pub is not the admin EC public key in PEM form" },
        { "default-policy.json", "{\"version\": 1, \"tees\": [\"quantum\"]}", "default-policy.json is not a valid attestation policy" },
        { "default-policy.json", "{not json", "default-policy.json is not a valid attestation policy" },
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public void Start_DamagedFile_IsRefusedWithTheReason(string file, string content, string reason)
    {
        var folder = Copy();
        File.WriteAllText(Path.Combine(folder, file), content);

        var message = StartFailure(folder);

        Assert.Contains(reason, message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_ExpiredCa_IsRefused()
    {
        var folder = Copy();
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        File.WriteAllText(Path.Combine(folder, "ca.key"), key.ExportPkcs8PrivateKeyPem());
        var request = new CertificateRequest("CN=old CA", key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-10), DateTimeOffset.UtcNow.AddDays(-1));
        File.WriteAllText(Path.Combine(folder, "ca.crt"), ca.ExportCertificatePem());

        Assert.Contains("ca.crt expired on", StartFailure(folder), StringComparison.Ordinal);
    }

    [Fact]
    public void Start_SqliteFolderMissing_IsRefusedNamingTheFolder()
    {
        var folder = Copy();
        var missing = Path.Combine(folder, "no-such-folder");

        var message = StartFailure(folder, "sqlite:" + Path.Combine(missing, "broker.db"));

        Assert.Contains("KeyBroker:Database", message, StringComparison.Ordinal);
        Assert.Contains($"the folder {missing} does not exist", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_MasterKeyMissing_IsRefusedBeforeServing()
    {
        var folder = Copy();
        File.Delete(Path.Combine(folder, "master.key"));

        Assert.Contains("No broker master key", StartFailure(folder), StringComparison.Ordinal);
    }

    [Fact]
    public void Start_HttpsWithDamagedTlsKey_IsRefusedNamingTheFiles()
    {
        var folder = Copy();
        File.WriteAllText(Path.Combine(folder, "tls.key"), "garbage");

        var message = StartFailure(folder, https: true);

        Assert.Contains("TLS certificate cannot be loaded", message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(folder, "tls.key"), message, StringComparison.Ordinal);
    }

    private string Copy()
    {
        var folder = Path.Combine(Path.GetTempPath(), "mantle-kb-files-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        foreach (var file in Directory.GetFiles(_template))
        {
            File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
        }

        _folders.Add(folder);
        return folder;
    }

    /// <summary>Builds and starts a broker on the folder (the options are checked as it is built) and returns why it refused.</summary>
    private static string StartFailure(string folder, string? database = null, bool https = false)
    {
        var options = new KeyBrokerServerOptions { ConfigDirectory = folder, Database = database, Plaintext = !https };
        options.Urls.Add(https ? "https://127.0.0.1:0" : "http://127.0.0.1:0");
        var ex = Assert.ThrowsAny<Exception>(() =>
        {
            var app = KeyBrokerServer.Build(options);
            try
            {
                app.StartAsync().GetAwaiter().GetResult();
            }
            finally
            {
                app.DisposeAsync().AsTask().GetAwaiter().GetResult();
            }
        });
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.True(ex is OptionsValidationException or InvalidOperationException, ex.ToString());
        return ex.Message;
    }

    private static string PublicKeyPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        return key.ExportSubjectPublicKeyInfoPem();
    }

    private static string PrivateKeyPem(ECCurve curve)
    {
        using var key = ECDsa.Create(curve);
        return key.ExportPkcs8PrivateKeyPem();
    }

    private static string OtherCaPem()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        var request = new CertificateRequest("CN=another CA", key, HashAlgorithmName.SHA384);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return ca.ExportCertificatePem();
    }
}
