using Microsoft.Extensions.Options;

namespace Mantle.KeyBroker.Tests;

[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class KeyBrokerServerTests
{
    [Fact]
    public void Build_PlaintextOnNonLoopback_IsRefused()
    {
        var options = new KeyBrokerServerOptions { ConfigDirectory = "/nonexistent", Plaintext = true };
        options.Urls.Add("http://0.0.0.0:0");
        var ex = Assert.Throws<ArgumentException>(() => KeyBrokerServer.Build(options));
        Assert.Contains("loopback", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_HttpWithoutPlaintext_IsRefused()
    {
        var options = new KeyBrokerServerOptions { ConfigDirectory = "/nonexistent" };
        options.Urls.Add("http://127.0.0.1:0");
        Assert.Throws<ArgumentException>(() => KeyBrokerServer.Build(options));
    }

    [Fact]
    public async Task Start_MissingConfigAndBadOptions_FailsNamingEachKey()
    {
        var options = new KeyBrokerServerOptions
        {
            ConfigDirectory = "/nonexistent-mantle",
            Database = "mysql:whatever",
            Plaintext = true,
            ConfigureBroker = o => o.NonceLifetime = TimeSpan.Zero,
        };
        options.Urls.Add("http://127.0.0.1:0");
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var app = KeyBrokerServer.Build(options);
            await app.StartAsync();
        });
        Assert.Contains("KeyBroker:ConfigDirectory", ex.Message, StringComparison.Ordinal);
        Assert.Contains("KeyBroker:Database", ex.Message, StringComparison.Ordinal);
        Assert.Contains("KeyBroker:NonceLifetime", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Initialize_FilesArePrivate()
    {
        using var temp = new TempFolder("mantle-kb-init-");
        var dir = temp.Path;
        BrokerInitializer.Initialize(dir);
        foreach (var file in Directory.GetFiles(dir))
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        Assert.Throws<InvalidOperationException>(() => BrokerInitializer.Initialize(dir));
    }
}
