using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Tensorflow;
using Tensorflow.Serving;

namespace Mantle.Serving.Tests.TfServing;

[Collection(TfServingCollection.Name)]
public sealed class TfServingLoggingTests(TfServingServerFixture fixture)
{
    private const string Secret = "s3cr3t-request-value";

    [Fact]
    public async Task RefusedRequests_AreLoggedWithoutPayloadAndNoErrorIsLogged()
    {
        using var content = new StringContent($$"""{"inputs": [["{{Secret}}", 1]]}""", Encoding.UTF8, "application/json");
        using var rest = await fixture.Rest.PostAsync("/v1/models/id_float:predict", content);
        var tensor = new TensorProto { Dtype = DataType.DtString, TensorShape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dim { Size = 1 } } } };
        tensor.StringVal.Add(ByteString.CopyFromUtf8(Secret));
        var request = new PredictRequest { ModelSpec = new ModelSpec { Name = "id_float" } };
        request.Inputs["x"] = tensor;
        var grpc = await Assert.ThrowsAsync<RpcException>(() => new PredictionService.PredictionServiceClient(fixture.Channel).PredictAsync(request).ResponseAsync);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, rest.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, grpc.StatusCode);
        Assert.DoesNotContain(Secret, await rest.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, grpc.Status.Detail, StringComparison.Ordinal);
        var entries = fixture.Logs.Entries;
        Assert.Contains(entries, e => e.Message.Contains("TF Serving REST request for model id_float refused: InvalidArgument", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Message.Contains("TF Serving gRPC Predict for model id_float refused: InvalidArgument", StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.Message.Contains(Secret, StringComparison.Ordinal));
        Assert.Empty(fixture.Logs.Errors);
    }
}
