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
    private readonly TempFolder _root = new();

    public void Dispose() => _root.Dispose();

    [Fact]
    public async Task VersionStillLoading_StatusSaysLoadingAndPredictIsUnavailable()
    {
        var basePath = Path.Combine(_root.Path, "slow");
        TestModels.WriteVersion(basePath, 1, TestModels.Tiny());
        var source = new GatedSource();
        var repositoryOptions = new ModelRepositoryOptions();
        repositoryOptions.Sources.Clear();
        repositoryOptions.Sources.Add(source);
        await using var repository = new ModelRepository([new ModelConfig { Name = "slow", BasePath = basePath }], repositoryOptions);
        var loading = repository.LoadAsync();
        await source.Entered.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var options = new ServingServerOptions { GrpcPort = 0, RestPort = 0, PollInterval = TimeSpan.Zero, LoggerFactory = NullLoggerFactory.Instance };
        await using var server = await ServingServer.StartAsync(repository, options);
        using var client = new HttpClient { BaseAddress = server.RestAddress };
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(server.GrpcAddress);
        var tensor = new Tensorflow.TensorProto { Dtype = Tensorflow.DataType.DtFloat, TensorShape = new Tensorflow.TensorShapeProto { Dim = { new Tensorflow.TensorShapeProto.Types.Dim { Size = 1 } } } };
        tensor.FloatVal.Add(1);
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "slow" } };
        request.Inputs["x"] = tensor;

        var status = await client.GetStringAsync("/v1/models/slow");
        using var content = new StringContent("""{"instances": [1.0]}""");
        using var predict = await client.PostAsync("/v1/models/slow:predict", content);
        var grpc = await Assert.ThrowsAsync<Grpc.Core.RpcException>(() => new PredictionService.PredictionServiceClient(channel).PredictAsync(request).ResponseAsync);
        source.Gate.SetResult();
        await loading;
        var ready = await new PredictionService.PredictionServiceClient(channel).PredictAsync(request);

        Assert.Equal("LOADING", JsonDocument.Parse(status).RootElement.GetProperty("model_version_status")[0].GetProperty("state").GetString());
        Assert.Equal(HttpStatusCode.ServiceUnavailable, predict.StatusCode);
        Assert.Equal(Grpc.Core.StatusCode.Unavailable, grpc.StatusCode);
        Assert.Equal(1L, ready.ModelSpec.Version);
    }

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
