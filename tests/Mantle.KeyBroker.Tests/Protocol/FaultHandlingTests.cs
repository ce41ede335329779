using System.Net;
using System.Text;
using System.Text.Json;
using Mantle.KeyBroker.Client;
using Mantle.KeyBroker.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mantle.KeyBroker.Tests.Protocol;

/// <summary>A fault inside the broker is a problem document that names no internals, logged with its details; the broker keeps serving.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class FaultHandlingTests
{
    [Fact]
    public async Task AdminPut_FaultInTheMasterKey_Is500ProblemAndLogged()
    {
        await using var broker = await TestBroker.StartAsync(services: s => s.AddSingleton<IMasterKeyProvider>(new FaultyMasterKey()));
        broker.ExpectErrors = true;
        using var admin = broker.Admin();

        var ex = await Assert.ThrowsAsync<KeyBrokerException>(() => admin.PutResourceAsync("repo/key/x", [1, 2, 3]));

        Assert.Equal(HttpStatusCode.InternalServerError, ex.StatusCode);
        Assert.Equal("Internal error", ex.Title);
        Assert.Contains("event 5014", ex.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(FaultyMasterKey.Secret, ex.Message, StringComparison.Ordinal);
        Assert.Contains(broker.Logs.Entries, e => e.Level == LogLevel.Error && e.Text.Contains("unexpected fault", StringComparison.Ordinal)
            && e.Text.Contains(FaultyMasterKey.Secret, StringComparison.Ordinal));
        Assert.Empty(await admin.ListResourcesAsync());
    }

    [Fact]
    public async Task Post_BodyOverTheLimit_Is413ProblemNamingTheLimit()
    {
        await using var broker = await TestBroker.StartAsync();
        using var http = broker.Http();

        using var response = await http.PostAsync("/kbs/v0/auth", new ByteArrayContent(Encoding.ASCII.GetBytes("{\"tee\": \"" + new string('a', 4 * 1024 * 1024) + "\"}")));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("4194304 bytes", JsonDocument.Parse(body).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    /// <summary>A master key provider that fails, as a key service outage would.</summary>
    private sealed class FaultyMasterKey : IMasterKeyProvider
    {
        public const string Secret = "master-key-service-detail";

        public string KeyId => "faulty";

        public byte[] Encrypt(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData) => throw new InvalidOperationException(Secret);

        public byte[] Decrypt(ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> associatedData) => throw new InvalidOperationException(Secret);
    }
}
