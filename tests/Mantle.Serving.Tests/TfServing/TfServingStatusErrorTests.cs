using System.Net;
using System.Text.Json;
using Mantle.Serving.Hosting;
using Mantle.Serving.Repository;
using Mantle.Serving.Tests.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Tensorflow.Serving;

namespace Mantle.Serving.Tests.TfServing;

public sealed class TfServingStatusErrorTests : IDisposable
{
    private readonly TempDirectory _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task Status_VersionThatFailedToLoad_ReportsEndWithErrorOverRestAndGrpc()
    {
        var basePath = Path.Combine(_root.Path, "flaky");
        TestModels.WriteVersion(basePath, 1, TestModels.Tiny());
        TestModels.WriteVersion(basePath, 2, [1, 2, 3, 4]);
        var options = new ServingServerOptions { GrpcPort = 0, RestPort = 0, PollInterval = TimeSpan.Zero, LoggerFactory = NullLoggerFactory.Instance };
        options.Models.Add(new ModelConfig { Name = "flaky", BasePath = basePath, VersionPolicy = ModelVersionPolicy.All() });
        await using var server = await ServingServer.StartAsync(options);
        using var client = new HttpClient { BaseAddress = server.RestAddress };
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(server.GrpcAddress);

        using var response = await client.GetAsync("/v1/models/flaky/versions/2");
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var grpc = await new ModelService.ModelServiceClient(channel).GetModelStatusAsync(
            new GetModelStatusRequest { ModelSpec = new ModelSpec { Name = "flaky", Version = 2 } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var status = Assert.Single(json.GetProperty("model_version_status").EnumerateArray());
        Assert.Equal("2", status.GetProperty("version").GetString());
        Assert.Equal("END", status.GetProperty("state").GetString());
        Assert.NotEqual("OK", status.GetProperty("status").GetProperty("error_code").GetString());
        Assert.NotEmpty(status.GetProperty("status").GetProperty("error_message").GetString()!);
        var version = Assert.Single(grpc.ModelVersionStatus);
        Assert.Equal(Tensorflow.Serving.ModelVersionStatus.Types.State.End, version.State);
        Assert.NotEqual(Tensorflow.Error.Code.Ok, version.Status.ErrorCode);
    }
}
