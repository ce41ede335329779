using Grpc.Net.Client;
using Inference;
using Mantle.Serving.Engine;
using Mantle.Serving.Hosting;
using Mantle.Serving.Repository;
using Mantle.Serving.Tests.Conformance;
using Microsoft.ML.OnnxRuntime.Tensors;
using Tensorflow.Serving;

namespace Mantle.Serving.Tests.Sealed;

public sealed class SealedResNetServingTests(SealedResNetFixture fixture) : IClassFixture<SealedResNetFixture>
{
    [Fact]
    public async Task SealedResNet18_KServeAndTfServingGrpc_SameOutputsAsPlaintext()
    {
        using var logs = new LogCapture();
        var options = new ServingServerOptions { GrpcPort = 0, RestPort = 0, PollInterval = TimeSpan.Zero, LoggerFactory = logs };
        options.Repository.Onnx.IntraOpThreads = 1;
        options.Repository.Sources.Insert(0, new SealedModelSource(fixture.Owner.PublicKey, fixture.Owner.Keys, new Microsoft.Extensions.Logging.Logger<SealedModelSource>(logs)));
        options.Models.Add(new ModelConfig { Name = "plain", BasePath = fixture.PlainBasePath });
        options.Models.Add(new ModelConfig { Name = "sealed", BasePath = fixture.SealedBasePath });
        await using var server = await ServingServer.StartAsync(options);
        using var channel = GrpcChannel.ForAddress(server.GrpcAddress);
        var kserve = new GRPCInferenceService.GRPCInferenceServiceClient(channel);
        var tfs = new PredictionService.PredictionServiceClient(channel);
        var plainModel = server.Repository.Find("plain").Model!;
        var sealedModel = server.Repository.Find("sealed").Model!;
        Assert.Equal(plainModel.Signature, sealedModel.Signature, SignatureComparer.Instance);
        var inputSpec = Assert.Single(plainModel.Signature.Inputs);
        var shape = inputSpec.Shape.Select(d => d < 0 ? 2 : d).ToArray();
        var pixels = new float[shape.Aggregate(1L, (a, b) => a * b)];
        var random = new Random(18);
        for (var i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (float)random.NextDouble();
        }

        IReadOnlyList<InferenceTensor> inputs = [InferenceTensor.FromBytes(inputSpec.Name, TensorElementType.Float, shape, System.Runtime.InteropServices.MemoryMarshal.AsBytes(pixels.AsSpan()).ToArray())];
        var outputNames = plainModel.Signature.Outputs.Select(o => o.Name).ToList();

        var plainKServe = await KServeGrpcTestClient.InferAsync(kserve, "plain", inputs);
        var sealedKServe = await KServeGrpcTestClient.InferAsync(kserve, "sealed", inputs);
        var plainTfs = await TfServingGrpcTestClient.PredictAsync(tfs, "plain", inputs, outputNames);
        var sealedTfs = await TfServingGrpcTestClient.PredictAsync(tfs, "sealed", inputs, outputNames);

        AssertSameOutputs(plainKServe, sealedKServe);
        AssertSameOutputs(plainTfs, sealedTfs);
        AssertSameOutputs(plainKServe, sealedTfs);
        Assert.Empty(logs.Errors);
        Assert.Contains(logs.Entries, e => e.Message.Contains("Unsealed ResNet18.onnx", StringComparison.Ordinal));
    }

    private static void AssertSameOutputs(
        (IReadOnlyList<InferenceTensor>? Outputs, string? Error) expected, (IReadOnlyList<InferenceTensor>? Outputs, string? Error) actual)
    {
        Assert.Null(expected.Error);
        Assert.Null(actual.Error);
        Assert.Equal(expected.Outputs!.Count, actual.Outputs!.Count);
        foreach (var (e, a) in expected.Outputs.Zip(actual.Outputs))
        {
            Assert.Equal(e.Name, a.Name);
            Assert.Equal(e.Shape, a.Shape);
            Assert.True(e.Data.Length > 0);
            Assert.True(e.Data.Span.SequenceEqual(a.Data.Span), $"output '{e.Name}' differs between the plaintext and the sealed model");
        }
    }

    private sealed class SignatureComparer : IEqualityComparer<ModelSignature>
    {
        public static readonly SignatureComparer Instance = new();

        public bool Equals(ModelSignature? x, ModelSignature? y) =>
            x is not null && y is not null && Describe(x) == Describe(y);

        public int GetHashCode(ModelSignature obj) => Describe(obj).GetHashCode(StringComparison.Ordinal);

        private static string Describe(ModelSignature s) =>
            string.Join(";", s.Inputs.Concat(s.Outputs).Select(t => $"{t.Name}:{t.ElementType}:{string.Join(",", t.Shape)}"));
    }
}
