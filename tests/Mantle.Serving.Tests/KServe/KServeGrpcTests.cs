using System.Buffers.Binary;
using Google.Protobuf;
using Grpc.Core;
using Inference;
using Mantle.Serving.Tests.Models;

namespace Mantle.Serving.Tests.KServe;

public sealed class KServeGrpcTests(KServeServerFixture fixture) : IClassFixture<KServeServerFixture>
{
    [Fact]
    public async Task ServerLiveReadyMetadata_ReportServer()
    {
        var live = await fixture.Grpc.ServerLiveAsync(new ServerLiveRequest());
        var ready = await fixture.Grpc.ServerReadyAsync(new ServerReadyRequest());
        var metadata = await fixture.Grpc.ServerMetadataAsync(new ServerMetadataRequest());

        Assert.True(live.Live);
        Assert.True(ready.Ready);
        Assert.Equal("mantle", metadata.Name);
        Assert.Contains("binary_tensor_data", metadata.Extensions);
    }

    [Fact]
    public async Task ModelReady_KnownVersion_True()
    {
        var response = await fixture.Grpc.ModelReadyAsync(new ModelReadyRequest { Name = "mm", Version = "1" });

        Assert.True(response.Ready);
    }

    [Theory]
    [InlineData("nope", "")]
    [InlineData("mm", "7")]
    public async Task ModelReadyAndMetadata_UnknownModelOrVersion_NotFound(string name, string version)
    {
        var ready = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Grpc.ModelReadyAsync(new ModelReadyRequest { Name = name, Version = version }));
        var metadata = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Grpc.ModelMetadataAsync(new ModelMetadataRequest { Name = name, Version = version }));

        Assert.Equal(StatusCode.NotFound, ready.StatusCode);
        Assert.Equal(StatusCode.NotFound, metadata.StatusCode);
    }

    [Fact]
    public async Task ModelMetadata_KnownModel_ReturnsTensors()
    {
        var response = await fixture.Grpc.ModelMetadataAsync(new ModelMetadataRequest { Name = "mm" });

        Assert.Equal("mm", response.Name);
        Assert.Equal(["1", "2"], response.Versions.Order());
        Assert.Equal("onnxruntime_onnx", response.Platform);
        var input = Assert.Single(response.Inputs);
        Assert.Equal(("x", "FP32"), (input.Name, input.Datatype));
        Assert.Equal([-1L, 3L], input.Shape);
        Assert.Equal(["y", "z"], response.Outputs.Select(o => o.Name));
    }

    [Fact]
    public async Task ModelInfer_RawInputContents_ReturnsRawOutputContents()
    {
        var request = MmRequest();
        request.RawInputContents.Add(ByteString.CopyFrom(FloatBytes(1, 2, 3)));

        var response = await fixture.Grpc.ModelInferAsync(request);

        Assert.Equal("mm", response.ModelName);
        Assert.Equal("2", response.ModelVersion);
        Assert.Equal("r1", response.Id);
        Assert.Equal(["y", "z"], response.Outputs.Select(o => o.Name));
        Assert.Equal([1L, 2L], response.Outputs[0].Shape);
        Assert.Equal("FP32", response.Outputs[0].Datatype);
        Assert.Equal(TestModels.MatMulAddRow(1, 2, 3), KServeRestTests.Floats(response.RawOutputContents[0].Span));
        Assert.Equal([1f, 2f, 3f], KServeRestTests.Floats(response.RawOutputContents[1].Span));
    }

    [Fact]
    public async Task ModelInfer_MultiMegabyteRawTensor_RoundTripsEveryByte()
    {
        // 1.5 MB in, 2.5 MB out (under the test client's 4 MB gRPC limit): dozens of transport blocks and HTTP/2
        // frames each way.
        const int rows = 131_072;
        var values = Enumerable.Range(0, rows * 3).Select(i => (float)(i % 1000)).ToArray();
        var request = new ModelInferRequest { ModelName = "mm" };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "FP32", Shape = { rows, 3 } });
        request.RawInputContents.Add(ByteString.CopyFrom(FloatBytes(values)));

        var response = await fixture.Grpc.ModelInferAsync(request);

        Assert.Equal([rows, 3L], response.Outputs[1].Shape);
        Assert.Equal(request.RawInputContents[0], response.RawOutputContents[1]);
        Assert.Equal(TestModels.MatMulAddRow(values[^3], values[^2], values[^1]), KServeRestTests.Floats(response.RawOutputContents[0].Span[^8..]));
    }

    [Fact]
    public async Task ModelInfer_TypedContentsAndRequestedOutput_ReturnsThatOutput()
    {
        var request = MmRequest();
        request.Inputs[0].Contents = new InferTensorContents { Fp32Contents = { 1, 2, 3 } };
        request.Outputs.Add(new ModelInferRequest.Types.InferRequestedOutputTensor { Name = "y" });

        var response = await fixture.Grpc.ModelInferAsync(request);

        Assert.Equal("y", Assert.Single(response.Outputs).Name);
        Assert.Equal(TestModels.MatMulAddRow(1, 2, 3), KServeRestTests.Floats(response.RawOutputContents[0].Span));
    }

    [Fact]
    public async Task ModelInfer_BytesTypedContents_ReturnsLengthPrefixedRaw()
    {
        var request = new ModelInferRequest { ModelName = "id_bytes" };
        var input = new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "BYTES", Shape = { 1, 2 } };
        input.Contents = new InferTensorContents { BytesContents = { ByteString.CopyFromUtf8("ab"), ByteString.CopyFromUtf8("") } };
        request.Inputs.Add(input);

        var response = await fixture.Grpc.ModelInferAsync(request);

        Assert.Equal("BYTES", response.Outputs[0].Datatype);
        Assert.Equal(new byte[] { 2, 0, 0, 0, (byte)'a', (byte)'b', 0, 0, 0, 0 }, response.RawOutputContents[0].ToByteArray());
    }

    [Theory]
    [InlineData("INT8", "int")]
    [InlineData("UINT16", "uint")]
    [InlineData("INT64", "int64")]
    [InlineData("UINT64", "uint64")]
    [InlineData("BOOL", "bool")]
    [InlineData("FP64", "fp64")]
    public async Task ModelInfer_TypedContentsPerDatatype_RoundTrips(string datatype, string field)
    {
        var model = "id_" + datatype.ToLowerInvariant();
        var contents = new InferTensorContents();
        switch (field)
        {
            case "int": contents.IntContents.Add([-5, 7]); break;
            case "uint": contents.UintContents.Add([65535, 7]); break;
            case "int64": contents.Int64Contents.Add([long.MinValue, 7]); break;
            case "uint64": contents.Uint64Contents.Add([ulong.MaxValue, 7]); break;
            case "bool": contents.BoolContents.Add([true, false]); break;
            default: contents.Fp64Contents.Add([0.25, -7]); break;
        }

        var request = new ModelInferRequest { ModelName = model };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = datatype, Shape = { 1, 2 }, Contents = contents });

        var response = await fixture.Grpc.ModelInferAsync(request);

        Assert.Equal(datatype, response.Outputs[0].Datatype);
        var raw = response.RawOutputContents[0].Span;
        switch (field)
        {
            case "int": Assert.Equal([unchecked((byte)-5), 7], raw.ToArray()); break;
            case "uint": Assert.Equal([65535, 7], [BinaryPrimitives.ReadUInt16LittleEndian(raw), BinaryPrimitives.ReadUInt16LittleEndian(raw[2..])]); break;
            case "int64": Assert.Equal(long.MinValue, BinaryPrimitives.ReadInt64LittleEndian(raw)); break;
            case "uint64": Assert.Equal(ulong.MaxValue, BinaryPrimitives.ReadUInt64LittleEndian(raw)); break;
            case "bool": Assert.Equal([1, 0], raw.ToArray()); break;
            default: Assert.Equal(-7, BinaryPrimitives.ReadDoubleLittleEndian(raw[8..])); break;
        }
    }

    public static TheoryData<string, string> BadRequests => new()
    {
        { "unknown-model", "NotFound" },
        { "wrong-dtype", "'x'" },
        { "raw-count", "raw_input_contents has 2 entries" },
        { "raw-size", "8 bytes" },
        { "contents-count", "contents.fp32_contents has 2" },
        { "fp16-typed", "raw_input_contents" },
        { "mixed", "one form" },
        { "int8-range", "range" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task ModelInfer_BadRequest_InvalidArgumentOrNotFoundNamingTheProblem(string kind, string mention)
    {
        var request = MmRequest();
        switch (kind)
        {
            case "unknown-model": request.ModelName = "nope"; break;
            case "wrong-dtype": request.Inputs[0].Datatype = "FP64"; request.RawInputContents.Add(ByteString.CopyFrom(new byte[24])); break;
            case "raw-count": request.RawInputContents.Add([ByteString.CopyFrom(FloatBytes(1, 2, 3)), ByteString.CopyFrom(FloatBytes(1, 2, 3))]); break;
            case "raw-size": request.RawInputContents.Add(ByteString.CopyFrom(FloatBytes(1, 2))); break;
            case "contents-count": request.Inputs[0].Contents = new InferTensorContents { Fp32Contents = { 1, 2 } }; break;
            case "fp16-typed":
                request.ModelName = "id_fp16";
                request.Inputs[0].Datatype = "FP16";
                request.Inputs[0].Shape.Clear();
                request.Inputs[0].Shape.Add([1, 2]);
                break;
            case "mixed":
                request.Inputs[0].Contents = new InferTensorContents { Fp32Contents = { 1, 2, 3 } };
                request.RawInputContents.Add(ByteString.CopyFrom(FloatBytes(1, 2, 3)));
                break;
            default:
                request.ModelName = "id_int8";
                request.Inputs[0].Datatype = "INT8";
                request.Inputs[0].Shape.Clear();
                request.Inputs[0].Shape.Add([1, 2]);
                request.Inputs[0].Contents = new InferTensorContents { IntContents = { 1, 300 } };
                break;
        }

        var ex = await Assert.ThrowsAsync<RpcException>(async () => await fixture.Grpc.ModelInferAsync(request));

        Assert.Equal(kind == "unknown-model" ? StatusCode.NotFound : StatusCode.InvalidArgument, ex.StatusCode);
        if (kind != "unknown-model")
        {
            Assert.Contains(mention, ex.Status.Detail, StringComparison.Ordinal);
        }

        var ok = MmRequest();
        ok.RawInputContents.Add(ByteString.CopyFrom(FloatBytes(1, 2, 3)));
        Assert.Equal(2, (await fixture.Grpc.ModelInferAsync(ok)).Outputs.Count);
    }

    [Fact]
    public async Task Readiness_ModelStillLoading_NotReadyAndInferUnavailable()
    {
        var repository = new TestRepository();
        repository.AddLoading("slow");
        await using var server = await Mantle.Serving.Hosting.ServingServer.StartAsync(repository,
            new Mantle.Serving.Hosting.ServingServerOptions { GrpcPort = 0, RestPort = 0, LoggerFactory = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance });
        using var channel = Grpc.Net.Client.GrpcChannel.ForAddress(server.GrpcAddress);
        var client = new GRPCInferenceService.GRPCInferenceServiceClient(channel);

        var serverReady = await client.ServerReadyAsync(new ServerReadyRequest());
        var modelReady = await client.ModelReadyAsync(new ModelReadyRequest { Name = "slow" });
        var infer = await Assert.ThrowsAsync<RpcException>(async () => await client.ModelInferAsync(new ModelInferRequest { ModelName = "slow" }));

        Assert.False(serverReady.Ready);
        Assert.False(modelReady.Ready);
        Assert.Equal(StatusCode.Unavailable, infer.StatusCode);
        Assert.True((await client.ServerLiveAsync(new ServerLiveRequest())).Live);
    }

    [Fact]
    public async Task ModelInfer_Requests_AreCountedInMetrics()
    {
        var request = MmRequest();
        request.RawInputContents.Add(ByteString.CopyFrom(FloatBytes(1, 2, 3)));
        await fixture.Grpc.ModelInferAsync(request);

        var metrics = await fixture.Http.GetStringAsync("/metrics");

        Assert.Contains("api=\"kserve-grpc\",outcome=\"ok\"", metrics, StringComparison.Ordinal);
    }

    private static ModelInferRequest MmRequest()
    {
        var request = new ModelInferRequest { ModelName = "mm", Id = "r1" };
        request.Inputs.Add(new ModelInferRequest.Types.InferInputTensor { Name = "x", Datatype = "FP32", Shape = { 1, 3 } });
        return request;
    }

    private static byte[] FloatBytes(params float[] values)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return bytes;
    }
}
