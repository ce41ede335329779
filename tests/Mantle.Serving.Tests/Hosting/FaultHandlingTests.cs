using System.Net;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.Client;
using Inference;
using Mantle.Serving.Engine;
using Mantle.Serving.Hosting;
using Mantle.Serving.Hosting.Internal;
using Mantle.Serving.Tests.KServe;
using Mantle.Serving.Tests.Protocol;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensorflow.Serving;

namespace Mantle.Serving.Tests.Hosting;

/// <summary>An unexpected fault in a handler is answered in each API's own error format, logged, and the server keeps serving.</summary>
public sealed class FaultHandlingTests : IAsyncLifetime
{
    private readonly CapturingLoggerFactory _logs = new();
    private ServingServer _server = null!;
    private HttpClient _http = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        var repository = new TestRepository();
        repository.Add(new FaultyModel());
        _server = await ServingServer.StartAsync(repository, new ServingServerOptions { GrpcPort = 0, RestPort = 0, LoggerFactory = _logs });
        _http = new HttpClient { BaseAddress = _server.RestAddress };
        _channel = GrpcChannel.ForAddress(_server.GrpcAddress);
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        _http.Dispose();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData("/v2/models/faulty/infer", """{"inputs": [{"name": "x", "shape": [1, 2], "datatype": "FP32", "data": [1, 2]}]}""")]
    [InlineData("/v1/models/faulty:predict", """{"instances": [[1, 2]]}""")]
    public async Task RestInfer_HandlerFault_Is500WithErrorBodyAndLogged(string path, string json)
    {
        using var response = await _http.PostAsync(path, new StringContent(json));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(RestErrorMiddleware.FaultMessage, JsonDocument.Parse(body).RootElement.GetProperty("error").GetString());
        Assert.True(BadJson.IsClean(body), body);
        Assert.Contains(_logs.Entries, e => e.EventId == 1013 && e.Level == LogLevel.Error && e.Message.Contains(FaultyModel.Secret, StringComparison.Ordinal));
        using var live = await _http.GetAsync("/v2/health/live");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task KServeGrpcInfer_HandlerFault_IsInternalAndLogged()
    {
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(_channel);
        var request = new ModelInferRequest { ModelName = "faulty" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "FP32", Contents = new InferTensorContents() };
        input.Shape.Add([1, 2]);
        input.Contents.Fp32Contents.Add([1, 2]);
        request.Inputs.Add(input);

        var ex = await Assert.ThrowsAsync<RpcException>(() => client.ModelInferAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        Assert.Equal(GrpcErrorInterceptor.FaultMessage, ex.Status.Detail);
        Assert.Contains(_logs.Entries, e => e.EventId == 1014 && e.Level == LogLevel.Error);
    }

    [Fact]
    public async Task TfGrpcPredict_HandlerFault_IsInternal()
    {
        var client = new PredictionService.PredictionServiceClient(_channel);
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "faulty" } };
        var tensor = new Tensorflow.TensorProto { Dtype = Tensorflow.DataType.DtFloat, TensorShape = new Tensorflow.TensorShapeProto() };
        tensor.TensorShape.Dim.Add(new Tensorflow.TensorShapeProto.Types.Dim { Size = 1 });
        tensor.TensorShape.Dim.Add(new Tensorflow.TensorShapeProto.Types.Dim { Size = 2 });
        tensor.FloatVal.Add([1, 2]);
        request.Inputs["x"] = tensor;

        var ex = await Assert.ThrowsAsync<RpcException>(() => client.PredictAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        Assert.Equal(GrpcErrorInterceptor.FaultMessage, ex.Status.Detail);
    }

    [Theory]
    [InlineData("GET", "/nothing/here")]
    [InlineData("DELETE", "/v2/models/faulty")]
    [InlineData("PUT", "/v1/models/faulty")]
    public async Task Rest_PathWithoutEndpoint_Is404WithErrorBody(string method, string path)
    {
        using var response = await _http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains($"no endpoint serves {method} {path}", JsonDocument.Parse(body).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    /// <summary>A model whose inference throws, as a bug in a backend would.</summary>
    private sealed class FaultyModel : IServableModel
    {
        public const string Secret = "faulty-backend-detail";

        public string Name => "faulty";

        public long Version => 1;

        public ModelSignature Signature { get; } = new(
            [new TensorSpec("x", TensorElementType.Float, [-1, 2])],
            [new TensorSpec("y", TensorElementType.Float, [-1, 2])]);

        public string Platform => "onnxruntime_onnx";

        public ValueTask<Mantle.Serving.Engine.InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException(Secret);
    }
}
