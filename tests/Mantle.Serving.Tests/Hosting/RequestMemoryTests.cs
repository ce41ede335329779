using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Inference;
using Mantle.Serving.Hosting;
using Mantle.Serving.Repository;
using Mantle.Serving.Tests.Models;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Tests.Hosting;

/// <summary>
/// The memory a bad request can take: a large body that cannot be JSON is refused from its first bytes, without a
/// buffer for the rest. Measured with the process's allocation counter, so these tests run alone.
/// </summary>
[Collection(Name)]
public sealed class RequestMemoryTests : IAsyncLifetime
{
    public const string Name = "Request memory (not parallel)";

    private const long BigBody = 200L * 1024 * 1024;

    /// <summary>What a refused request may allocate in the whole process (client, server and the runtime), far below the body size.</summary>
    private const long AllocationBound = 8L * 1024 * 1024;

    private readonly TempDirectory _root = new();
    private ServingServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var options = new ServingServerOptions { GrpcPort = 0, RestPort = 0, PollInterval = TimeSpan.Zero, LoggerFactory = NullLoggerFactory.Instance, MaxGrpcMessageBytes = 1024 * 1024 };
        var basePath = Path.Combine(_root.Path, "id");
        TestModels.WriteVersion(basePath, 1, TestModels.Identity(TensorElementType.Float));
        options.Models.Add(new ModelConfig { Name = "id", BasePath = basePath });
        _server = await ServingServer.StartAsync(options);
        _http = new HttpClient { BaseAddress = _server.RestAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        _root.Dispose();
    }

    [Theory]
    [InlineData("/v2/models/id/infer", false)]
    [InlineData("/v2/models/id/infer", true)]
    [InlineData("/v1/models/id:predict", false)]
    public async Task Post_HugeBodyThatIsNotJson_IsRefusedWithoutBufferingIt(string path, bool binaryHeader)
    {
        await WarmUpAsync(path);
        var before = GC.GetTotalAllocatedBytes(precise: true);

        using var content = new RepeatedContent((byte)'x', BigBody);
        if (binaryHeader)
        {
            content.Headers.Add("Inference-Header-Content-Length", "1024");
        }

        using var response = await _http.PostAsync(path, content);
        var body = await response.Content.ReadAsStringAsync();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not a JSON object", JsonDocument.Parse(body).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.True(allocated < AllocationBound, $"refusing a {BigBody}-byte body allocated {allocated} bytes");
        await WarmUpAsync(path);
    }

    [Fact]
    public async Task Infer_HeaderLengthBeyondDeclaredBody_IsRefusedBeforeReading()
    {
        await WarmUpAsync("/v2/models/id/infer");
        var before = GC.GetTotalAllocatedBytes(precise: true);

        using var content = new RepeatedContent((byte)'{', BigBody);
        content.Headers.Add("Inference-Header-Content-Length", (BigBody + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var response = await _http.PostAsync("/v2/models/id/infer", content);
        var body = await response.Content.ReadAsStringAsync();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Inference-Header-Content-Length", body, StringComparison.Ordinal);
        Assert.True(allocated < AllocationBound, $"refusing a {BigBody}-byte body allocated {allocated} bytes");
    }

    [Fact]
    public async Task GrpcInfer_MessageOverTheLimit_IsResourceExhaustedFromItsLength()
    {
        using var channel = GrpcChannel.ForAddress(_server.GrpcAddress, new GrpcChannelOptions { MaxSendMessageSize = null });
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var request = new ModelInferRequest { ModelName = "id" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "FP32" };
        input.Shape.Add([1024 * 1024 / 8, 2]);
        request.Inputs.Add(input);
        request.RawInputContents.Add(ByteString.CopyFrom(new byte[1024 * 1024]));

        var ex = await Assert.ThrowsAsync<RpcException>(() => client.ModelInferAsync(request).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    private async Task WarmUpAsync(string path)
    {
        var json = path.StartsWith("/v2", StringComparison.Ordinal)
            ? """{"inputs": [{"name": "x", "shape": [1, 2], "datatype": "FP32", "data": [1, 2]}]}"""
            : """{"instances": [[1, 2]]}""";
        using var response = await _http.PostAsync(path, new StringContent(json));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    /// <summary>A body of one repeated byte, written from one small buffer, with its length declared.</summary>
    private sealed class RepeatedContent : HttpContent
    {
        private readonly byte _value;
        private readonly long _length;

        public RepeatedContent(byte value, long length)
        {
            _value = value;
            _length = length;
            Headers.ContentType = new MediaTypeHeaderValue("application/json");
        }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, _value);
            try
            {
                for (long sent = 0; sent < _length; sent += chunk.Length)
                {
                    await stream.WriteAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, _length - sent)));
                }
            }
            catch (IOException)
            {
                // The server answered and closed the connection before taking the whole body.
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = _length;
            return true;
        }
    }
}

/// <summary>The tests that measure the process's allocations run alone.</summary>
[CollectionDefinition(RequestMemoryTests.Name, DisableParallelization = true)]
public sealed class RequestMemoryCollection;
