using System.Text;
using System.Text.Json;
using Mantle.Sealing.Keys;
using Mantle.Serving.Engine;
using Mantle.Serving.Hosting;
using Mantle.Serving.Repository;
using Mantle.Serving.Tests.Models;
using Microsoft.Extensions.Logging;

namespace Mantle.Serving.Tests.Sealed;

/// <summary>
/// A server with an owner key serving a sealed model, whose host drops versions of its own into the base path: a
/// plaintext model and a model sealed under the owner's model key but signed by another key. Neither is served.
/// </summary>
public sealed class DowngradeTests : IDisposable
{
    private const int RefusedEventId = 1009;
    private const string Row = """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [[1, 2, 3]]}]}""";
    private static readonly float[] HostBias = [1000, 2000];

    private readonly TempFolder _root = new();
    private readonly LogCapture _logs = new();
    private readonly ModelOwner _owner;
    private readonly OwnerSigningKey _host = OwnerSigningKey.Generate();

    public DowngradeTests()
    {
        _owner = new ModelOwner(Path.Combine(_root.Path, "owner"));
    }

    private string BasePath => Path.Combine(_root.Path, "m");

    public void Dispose()
    {
        _host.Dispose();
        _owner.Dispose();
        _logs.Dispose();
        _root.Dispose();
    }

    [Fact]
    public async Task Polling_PlaintextAndForeignSignedVersionsDroppedIn_RefusedWithWarnings_SealedVersionKeepsServing()
    {
        await _owner.SealAsync(BasePath, 1, TestModels.MatMulAdd());
        await using var server = await ServingServer.StartAsync(Options());
        Assert.Equal(1, server.Repository.Find("m").Model?.Version);

        await DropHostVersionsAsync(plaintextVersion: 2, foreignVersion: 3);
        await UntilEndedAsync(server, 2, 3);

        await AssertServesOwnersModelAsync(server);
        var plaintext = Assert.Single(server.Repository.GetStatus("m", 2)).Error!.Message;
        Assert.Contains($"Model 'm' version 2: {Path.Combine(BasePath, "2")} holds a plaintext model, but model 'm' accepts sealed versions only", plaintext, StringComparison.Ordinal);
        Assert.Contains("--allow-plaintext-model m", plaintext, StringComparison.Ordinal);
        var foreign = Assert.Single(server.Repository.GetStatus("m", 3)).Error!.Message;
        Assert.Contains("(ManifestUntrustedSigner)", foreign, StringComparison.Ordinal);
        Assert.Contains($"signed by key {_host.PublicKey.Thumbprint}", foreign, StringComparison.Ordinal);
        AssertRefusalsLogged(2, 3);
    }

    [Fact]
    public async Task Polling_PlaintextAllowedForTheModel_PlaintextVersionIsServed_ForeignSignedStillRefused()
    {
        await _owner.SealAsync(BasePath, 1, TestModels.MatMulAdd());
        var options = Options();
        options.Repository.AllowPlaintext.Add("m");
        await using var server = await ServingServer.StartAsync(options);

        await DropHostVersionsAsync(plaintextVersion: 2, foreignVersion: 3);
        await UntilEndedAsync(server, 3);
        for (var deadline = DateTime.UtcNow.AddSeconds(30); server.Repository.Find("m").Model?.Version != 2 && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(50);
        }

        var (version, y) = await InferAsync(server);
        Assert.Equal("2", version);
        Assert.Equal(HostRow(), y);
        Assert.Contains(_logs.Entries, e => e.Message.StartsWith("Loaded model m version 2 (plaintext)", StringComparison.Ordinal));
        AssertRefusalsLogged(3);
    }

    [Fact]
    public async Task Start_BasePathMixesSealedPlaintextAndForeignSigned_ServesOnlyTheSealedVersion()
    {
        await _owner.SealAsync(BasePath, 1, TestModels.MatMulAdd());
        await DropHostVersionsAsync(plaintextVersion: 2, foreignVersion: 3);

        await using var server = await ServingServer.StartAsync(Options());

        await AssertServesOwnersModelAsync(server);
        Assert.Equal(ModelVersionState.End, Assert.Single(server.Repository.GetStatus("m", 2)).State);
        Assert.Equal(ModelVersionState.End, Assert.Single(server.Repository.GetStatus("m", 3)).State);
        AssertRefusalsLogged(2, 3);
    }

    [Fact]
    public async Task Start_OnlyPlaintextVersionsWithOwnerKey_FailsNamingTheAllowOption()
    {
        TestModels.WriteVersion(BasePath, 1, TestModels.MatMulAdd());

        var error = await Assert.ThrowsAsync<ModelLoadException>(() => ServingServer.StartAsync(Options()));

        Assert.Contains("Model 'm' has no loadable version", error.Message, StringComparison.Ordinal);
        Assert.Contains("holds a plaintext model", error.Message, StringComparison.Ordinal);
        Assert.Contains("--allow-plaintext-model m", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(_logs.Entries, e => e.Message.StartsWith("Loaded model", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Start_AllowPlaintextNamesNoServedModel_RefusedNamingIt()
    {
        await _owner.SealAsync(BasePath, 1, TestModels.MatMulAdd());
        var options = Options();
        options.Repository.AllowPlaintext.Add("typo");

        var error = await Assert.ThrowsAsync<ArgumentException>(() => ServingServer.StartAsync(options));

        Assert.Contains("allow-plaintext-model: 'typo' is not a served model (models: m)", error.Message, StringComparison.Ordinal);
    }

    private static float[] HostRow() => [.. TestModels.MatMulAddRow(1, 2, 3).Select((v, i) => v - (10 * (i + 1)) + HostBias[i])];

    private static async Task<(string? Version, float[] Y)> InferAsync(ServingServer server)
    {
        using var http = new HttpClient { BaseAddress = server.RestAddress };
        using var content = new StringContent(Row, Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/v2/models/m/infer", content);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(response.IsSuccessStatusCode, body.ToString());
        var y = body.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "y");
        return (body.GetProperty("model_version").GetString(), [.. y.GetProperty("data").EnumerateArray().Select(v => v.GetSingle())]);
    }

    private static async Task UntilEndedAsync(ServingServer server, params long[] versions)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(30); DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            if (versions.All(v => server.Repository.GetStatus("m", v) is [{ State: ModelVersionState.End, Error: not null }]))
            {
                return;
            }
        }

        Assert.Fail($"versions {string.Join(", ", versions)} did not end with an error: {string.Join("; ", server.Repository.GetStatus("m").Select(s => $"{s.Version} {s.State}"))}");
    }

    private async Task AssertServesOwnersModelAsync(ServingServer server)
    {
        Assert.Equal(1, server.Repository.Find("m").Model?.Version);
        Assert.Equal(ModelVersionState.Available, Assert.Single(server.Repository.GetStatus("m", 1)).State);
        var (version, y) = await InferAsync(server);
        Assert.Equal("1", version);
        Assert.Equal(TestModels.MatMulAddRow(1, 2, 3), y);
        Assert.Empty(_logs.Errors);
    }

    private void AssertRefusalsLogged(params long[] versions)
    {
        foreach (var version in versions)
        {
            var entry = Assert.Single(_logs.Entries, e => e.EventId == RefusedEventId && e.Message.StartsWith($"Refused model m version {version}; it is not served: ", StringComparison.Ordinal));
            Assert.Equal(LogLevel.Warning, entry.Level);
            Assert.Contains(version == 2 ? "holds a plaintext model" : "(ManifestUntrustedSigner)", entry.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(_logs.Entries, e => e.Message.StartsWith($"Loaded model m version {version} ", StringComparison.Ordinal));
        }
    }

    /// <summary>What a host could do: its own plaintext model, and its own model sealed under the owner's model key but signed by itself.</summary>
    private async Task DropHostVersionsAsync(long plaintextVersion, long foreignVersion)
    {
        var staging = Path.Combine(_root.Path, "staging");
        var plaintext = TestModels.WriteVersion(staging, plaintextVersion, TestModels.MatMulAdd(HostBias));
        var foreign = await _owner.SealAsync(staging, foreignVersion, TestModels.MatMulAdd(HostBias), signer: _host);
        Directory.CreateDirectory(BasePath);
        Directory.Move(plaintext, Path.Combine(BasePath, plaintextVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Directory.Move(foreign, Path.Combine(BasePath, foreignVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }

    /// <summary>What <c>mantle serve --owner-key</c> configures.</summary>
    private ServingServerOptions Options()
    {
        var options = new ServingServerOptions { GrpcPort = 0, RestPort = 0, PollInterval = TimeSpan.FromMilliseconds(100), LoggerFactory = _logs };
        options.Models.Add(new ModelConfig { Name = "m", BasePath = BasePath });
        options.Repository.Sources.Insert(0, new SealedModelSource(_owner.PublicKey, _owner.Keys, _logs.CreateLogger<SealedModelSource>()));
        options.Repository.RequireSealed = true;
        return options;
    }
}
