using System.Text;
using System.Text.Json;
using Mantle.Serving.Hosting;
using Mantle.Serving.Repository;
using Mantle.Serving.Tests.Models;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mantle.Serving.Tests.KServe;

public sealed class KServeRestErrorTests(KServeServerFixture fixture) : IClassFixture<KServeServerFixture>
{
    public static TheoryData<string, string, string[]> BadJsonRequests => new()
    {
        { "mm", """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]""", ["malformed JSON"] },
        { "mm", """[1, 2]""", ["JSON object"] },
        { "mm", """{"id": "x"}""", ["no \"inputs\""] },
        { "mm", """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP64", "data": [1, 2, 3]}]}""", ["'x'", "FP64", "FP32"] },
        { "mm", """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FLOAT", "data": [1, 2, 3]}]}""", ["'x'", "'FLOAT'", "FP32"] },
        { "mm", """{"inputs": [{"name": "x", "shape": [1, 3], "data": [1, 2, 3]}]}""", ["'x'", "no \"datatype\""] },
        { "mm", """{"inputs": [{"name": "x", "datatype": "FP32", "data": [1, 2, 3]}]}""", ["'x'", "no \"shape\""] },
        { "mm", """{"inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP32", "data": [1, 2, 3]}]}""", ["'x'", "6 elements", "has 3"] },
        { "mm", """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3, 4]}]}""", ["'x'", "3 elements", "has 4"] },
        { "mm", """{"inputs": [{"name": "x", "shape": [1, -3], "datatype": "FP32", "data": [1, 2, 3]}]}""", ["\"shape\"", "non-negative"] },
        { "mm", """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, "a", 3]}]}""", ["'x'", "element 1", "number"] },
        { "mm", """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32"}]}""", ["'x'", "no \"data\""] },
        { "mm", """{"inputs": [{"name": "w", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}""", ["no input 'w'", "'x'"] },
        { "mm", """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}], "outputs": [{"name": "q"}]}""", ["no output 'q'", "'y'"] },
        { "mm", """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}, {"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}""", ["'x'", "more than once"] },
        { "id_uint8", """{"inputs": [{"name": "x", "shape": [1, 2], "datatype": "UINT8", "data": [1, 256]}]}""", ["'x'", "element 1", "UINT8"] },
        { "id_int8", """{"inputs": [{"name": "x", "shape": [1, 2], "datatype": "INT8", "data": [1, 2.5]}]}""", ["'x'", "element 1", "INT8"] },
        { "id_bool", """{"inputs": [{"name": "x", "shape": [1, 2], "datatype": "BOOL", "data": [1, 0]}]}""", ["'x'", "true or false"] },
        { "id_bytes", """{"inputs": [{"name": "x", "shape": [1, 2], "datatype": "BYTES", "data": ["a", 3]}]}""", ["'x'", "string"] },
        { "add", """{"inputs": [{"name": "a", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]}""", ["'b'"] },
        { "id_fp32", """{"inputs": [{"name": "x", "shape": [1000000000000, 2], "datatype": "FP32", "data": [1, 2]}]}""", ["'x'", "2000000000000 elements", "has 2"] },
        { "id_bytes", """{"inputs": [{"name": "x", "shape": [1000000000000, 2], "datatype": "BYTES", "data": ["a"]}]}""", ["'x'", "has 1"] },
    };

    [Theory]
    [MemberData(nameof(BadJsonRequests))]
    public async Task Infer_BadJsonRequest_Returns400NamingTheProblem(string model, string json, string[] mentions)
    {
        var (status, body) = await fixture.PostJsonAsync($"/v2/models/{model}/infer", json);

        Assert.Equal(400, status);
        var error = body.GetProperty("error").GetString()!;
        foreach (var mention in mentions)
        {
            Assert.Contains(mention, error, StringComparison.Ordinal);
        }

        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Infer_UnknownModel_Returns404()
    {
        var (status, body) = await fixture.PostJsonAsync("/v2/models/nope/infer", "{}");

        Assert.Equal(404, status);
        Assert.Contains("nope", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_ClassificationParameter_Returns501()
    {
        var (status, body) = await fixture.PostJsonAsync("/v2/models/mm/infer",
            """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}], "outputs": [{"name": "y", "parameters": {"classification": 2}}]}""");

        Assert.Equal(501, status);
        Assert.Contains("classification", body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, byte[], string?, string[]> BadBinaryRequests => new()
    {
        // binary_data_size larger than what follows the header
        { """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "parameters": {"binary_data_size": 12}}]}""", new byte[8], null, ["'x'", "binary_data_size is 12", "8 bytes"] },
        // binary_data_size that does not fit the shape
        { """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "parameters": {"binary_data_size": 8}}]}""", new byte[8], null, ["'x'", "8 bytes", "needs 12"] },
        // bytes that no input claims
        { """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "parameters": {"binary_data_size": 12}}]}""", new byte[16], null, ["4 bytes", "no input claims"] },
        // header length beyond the body
        { """{"inputs": []}""", [], "9999", ["Inference-Header-Content-Length", "9999"] },
        // header length that is not a number
        { """{"inputs": []}""", [], "abc", ["Inference-Header-Content-Length"] },
        // both data and binary_data_size
        { """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3], "parameters": {"binary_data_size": 12}}]}""", new byte[12], null, ["'x'", "both"] },
    };

    [Theory]
    [MemberData(nameof(BadBinaryRequests))]
    public async Task Infer_BadBinaryRequest_Returns400NamingTheProblem(string json, byte[] binary, string? headerLength, string[] mentions)
    {
        using var content = KServeRestTests.Binary(json, binary, headerLength);
        using var response = await fixture.Http.PostAsync("/v2/models/mm/infer", content);
        using var body = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());

        Assert.Equal(400, (int)response.StatusCode);
        var error = body.RootElement.GetProperty("error").GetString()!;
        foreach (var mention in mentions)
        {
            Assert.Contains(mention, error, StringComparison.Ordinal);
        }

        await AssertStillServingAsync();
    }

    [Fact]
    public async Task Infer_BadBytesElementLength_Returns400()
    {
        using var content = KServeRestTests.Binary(
            """{"inputs": [{"name": "x", "shape": [1, 2], "datatype": "BYTES", "parameters": {"binary_data_size": 9}}]}""",
            [1, 0, 0, 0, 65, 200, 0, 0, 0]);
        using var response = await fixture.Http.PostAsync("/v2/models/id_bytes/infer", content);
        using var body = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Contains("element 1 claims 200 bytes", body.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Infer_MalformedJson_DoesNotEchoThePayload()
    {
        var (status, body) = await fixture.PostJsonAsync("/v2/models/mm/infer", """{"inputs": [{"name": "x", "data": [SECRET-PAYLOAD-42]}]}""");

        Assert.Equal(400, status);
        Assert.DoesNotContain("SECRET", body.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains(fixture.Logs.Entries, e => e.EventId == 2301 && e.Message.Contains("malformed JSON", StringComparison.Ordinal));
        Assert.DoesNotContain(fixture.Logs.Entries, e => e.Message.Contains("SECRET", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Infer_BodyOverServerLimit_Returns413AndKeepsServing()
    {
        using var root = new TempFolder();
        var basePath = Path.Combine(root.Path, "id");
        TestModels.WriteVersion(basePath, 1, TestModels.Identity(Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float));
        var options = new ServingServerOptions { GrpcPort = 0, RestPort = 0, PollInterval = TimeSpan.Zero, LoggerFactory = NullLoggerFactory.Instance, MaxRestRequestBodyBytes = 4096 };
        options.Models.Add(new ModelConfig { Name = "id", BasePath = basePath });
        await using var server = await ServingServer.StartAsync(options);
        using var http = new HttpClient { BaseAddress = server.RestAddress };
        var data = string.Join(", ", Enumerable.Repeat("1.0", 2000));

        using var big = new StringContent($$"""{"inputs": [{"name": "x", "shape": [1000, 2], "datatype": "FP32", "data": [{{data}}]}]}""", Encoding.UTF8, "application/json");
        using var response = await http.PostAsync("/v2/models/id/infer", big);
        using var body = JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync());

        Assert.Equal(413, (int)response.StatusCode);
        Assert.Contains("4096", body.RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        using var small = new StringContent("""{"inputs": [{"name": "x", "shape": [1, 2], "datatype": "FP32", "data": [1, 2]}]}""", Encoding.UTF8, "application/json");
        using var ok = await http.PostAsync("/v2/models/id/infer", small);
        Assert.Equal(200, (int)ok.StatusCode);
    }

    [Fact]
    public async Task HealthReady_ModelStillLoading_Returns400AndModelReadyFalse()
    {
        var repository = new TestRepository();
        repository.AddLoading("slow");
        await using var server = await ServingServer.StartAsync(repository, new ServingServerOptions { GrpcPort = 0, RestPort = 0, LoggerFactory = NullLoggerFactory.Instance });
        using var http = new HttpClient { BaseAddress = server.RestAddress };

        using var ready = await http.GetAsync("/v2/health/ready");
        using var modelReady = await http.GetAsync("/v2/models/slow/ready");
        using var infer = await http.PostAsync("/v2/models/slow/infer", new StringContent("{}"));

        Assert.Equal(400, (int)ready.StatusCode);
        Assert.False(JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("ready").GetBoolean());
        Assert.Equal(400, (int)modelReady.StatusCode);
        Assert.False(JsonDocument.Parse(await modelReady.Content.ReadAsStringAsync()).RootElement.GetProperty("ready").GetBoolean());
        Assert.Equal(503, (int)infer.StatusCode);
    }

    [Fact]
    public async Task Infer_Requests_AreCountedInMetrics()
    {
        await fixture.PostJsonAsync("/v2/models/add/infer", """{"inputs": [{"name": "a", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}, {"name": "b", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]}""");
        await fixture.PostJsonAsync("/v2/models/add/infer", """{"inputs": [{"name": "a", "shape": [1, 4], "datatype": "FP64", "data": [1, 2, 3, 4]}]}""");

        var metrics = await fixture.Http.GetStringAsync("/metrics");

        Assert.Contains("mantle_serving_requests_total{model=\"add\",version=\"1\",api=\"kserve-rest\",outcome=\"ok\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("mantle_serving_requests_total{model=\"add\",version=\"1\",api=\"kserve-rest\",outcome=\"invalid_argument\"}", metrics, StringComparison.Ordinal);
    }

    private async Task AssertStillServingAsync()
    {
        var (status, _) = await fixture.PostJsonAsync("/v2/models/mm/infer", """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}]}""");
        Assert.Equal(200, status);
    }
}
