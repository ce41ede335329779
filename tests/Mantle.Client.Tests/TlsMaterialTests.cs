using System.Security.Cryptography.X509Certificates;
using Mantle.Client.Certificates;

namespace Mantle.Client.Tests;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class TlsMaterialTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mantle-tls-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Create_ServerAndClientChainToTheCa_KeysArePrivate()
    {
        var material = TlsMaterial.Create(new TlsMaterialOptions { ServerName = "localhost", ClientName = "alice", ExtraServerNames = ["10.0.0.7"] });
        material.Save(_folder);

        using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(_folder, "ca.crt")));
        using var server = X509Certificate2.CreateFromPemFile(Path.Combine(_folder, "server.crt"), Path.Combine(_folder, "server.key"));
        using var client = X509Certificate2.CreateFromPemFile(Path.Combine(_folder, "client.crt"), Path.Combine(_folder, "client.key"));
        foreach (var leaf in new[] { server, client })
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            Assert.True(chain.Build(leaf), leaf.Subject);
        }

        Assert.True(server.MatchesHostname("localhost"));
        Assert.True(server.MatchesHostname("10.0.0.7"));
        Assert.Contains("CN=alice", client.Subject, StringComparison.Ordinal);
        foreach (var key in new[] { "ca.key", "server.key", "client.key" })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_folder, key)));
        }
    }

    [Fact]
    public void Save_FolderWithAnyOfTheFiles_IsRefusedAndNothingIsOverwritten()
    {
        File.WriteAllText(Path.Combine(_folder, "server.key"), "keep me");
        var material = TlsMaterial.Create(new TlsMaterialOptions { ServerName = "localhost" });

        var ex = Assert.Throws<IOException>(() => material.Save(_folder));

        Assert.Contains("server.key", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["server.key"], material.ExistingFiles(_folder));
        Assert.Equal("keep me", File.ReadAllText(Path.Combine(_folder, "server.key")));
        Assert.False(File.Exists(Path.Combine(_folder, "ca.crt")));
    }
}
