using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Mantle.Serving.Engine;
using Mantle.Serving.Tests.Models;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Tests.KServe;

public sealed class KServeRestTests(KServeServerFixture fixture) : IClassFixture<KServeServerFixture>
{
    private const string MmRow = """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [[1, 2, 3]]}]}""";

    [Fact]
    public async Task ServerMetadata_Get_ReturnsNameVersionAndBinaryExtension()
    {
        var (status, body) = await fixture.GetJsonAsync("/v2");

        Assert.Equal(200, status);
        Assert.Equal("mantle", body.GetProperty("name").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("version").GetString()));
        Assert.Contains("binary_tensor_data", body.GetProperty("extensions").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task HealthLive_Get_Returns200()
    {
        var (status, body) = await fixture.GetJsonAsync("/v2/health/live");

        Assert.Equal(200, status);
        Assert.True(body.GetProperty("live").GetBoolean());
    }

    [Fact]
    public async Task HealthReady_AllModelsLoaded_Returns200()
    {
        var (status, body) = await fixture.GetJsonAsync("/v2/health/ready");

        Assert.Equal(200, status);
        Assert.True(body.GetProperty("ready").GetBoolean());
    }

    [Fact]
    public async Task ModelMetadata_KnownModel_ReturnsVersionsPlatformAndTensors()
    {
        var (status, body) = await fixture.GetJsonAsync("/v2/models/mm");

        Assert.Equal(200, status);
        Assert.Equal("mm", body.GetProperty("name").GetString());
        Assert.Equal(["1", "2"], body.GetProperty("versions").EnumerateArray().Select(v => v.GetString()).Order());
        Assert.Equal("onnxruntime_onnx", body.GetProperty("platform").GetString());
        var input = Assert.Single(body.GetProperty("inputs").EnumerateArray());
        Assert.Equal("x", input.GetProperty("name").GetString());
        Assert.Equal("FP32", input.GetProperty("datatype").GetString());
        Assert.Equal([-1L, 3L], input.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal(["y", "z"], body.GetProperty("outputs").EnumerateArray().Select(o => o.GetProperty("name").GetString()));
    }

    [Theory]
    [InlineData("id_fp16", "FP16")]
    [InlineData("id_bool", "BOOL")]
    [InlineData("id_uint64", "UINT64")]
    [InlineData("id_int8", "INT8")]
    [InlineData("id_bytes", "BYTES")]
    public async Task ModelMetadata_Datatype_UsesProtocolName(string model, string datatype)
    {
        var (_, body) = await fixture.GetJsonAsync($"/v2/models/{model}");

        Assert.Equal(datatype, body.GetProperty("inputs")[0].GetProperty("datatype").GetString());
    }

    [Fact]
    public async Task ModelMetadata_SpecificVersion_Returns200()
    {
        var (status, body) = await fixture.GetJsonAsync("/v2/models/mm/versions/1");

        Assert.Equal(200, status);
        Assert.Equal("mm", body.GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("/v2/models/nope", "nope")]
    [InlineData("/v2/models/mm/versions/9", "9")]
    [InlineData("/v2/models/nope/ready", "nope")]
    public async Task ModelEndpoints_UnknownModelOrVersion_Return404NamingIt(string path, string named)
    {
        var (status, body) = await fixture.GetJsonAsync(path);

        Assert.Equal(404, status);
        Assert.Contains(named, body.GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ModelReady_KnownModelAndVersion_Returns200True()
    {
        var (status, body) = await fixture.GetJsonAsync("/v2/models/mm/versions/2/ready");

        Assert.Equal(200, status);
        Assert.True(body.GetProperty("ready").GetBoolean());
        Assert.Equal("mm", body.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Infer_JsonNestedData_ReturnsJsonOutputsWithIdAndVersion()
    {
        var (status, body) = await fixture.PostJsonAsync("/v2/models/mm/infer",
            """{"id": "req-7", "inputs": [{"name": "x", "shape": [2, 3], "datatype": "FP32", "data": [[1, 2, 3], [0, 0, 1]]}]}""");

        Assert.Equal(200, status);
        Assert.Equal("req-7", body.GetProperty("id").GetString());
        Assert.Equal("mm", body.GetProperty("model_name").GetString());
        Assert.Equal("2", body.GetProperty("model_version").GetString());
        var y = body.GetProperty("outputs").EnumerateArray().Single(o => o.GetProperty("name").GetString() == "y");
        Assert.Equal("FP32", y.GetProperty("datatype").GetString());
        Assert.Equal([2L, 2L], y.GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()));
        float[] expected = [.. TestModels.MatMulAddRow(1, 2, 3), .. TestModels.MatMulAddRow(0, 0, 1)];
        Assert.Equal(expected, y.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
    }

    [Fact]
    public async Task Infer_VersionInPath_ServesThatVersion()
    {
        var (status, body) = await fixture.PostJsonAsync("/v2/models/mm/versions/1/infer", MmRow);

        Assert.Equal(200, status);
        Assert.Equal("1", body.GetProperty("model_version").GetString());
    }

    [Fact]
    public async Task Infer_VersionLabelInPath_ServesTheLabelledVersion()
    {
        var (status, body) = await fixture.PostJsonAsync("/v2/models/mm/versions/stable/infer", MmRow);

        Assert.Equal(200, status);
        Assert.Equal("1", body.GetProperty("model_version").GetString());
    }

    [Fact]
    public async Task Infer_Bf16JsonAndBinary_RoundTrips()
    {
        var (status, body) = await fixture.PostJsonAsync("/v2/models/id_bf16/infer",
            """{"inputs": [{"name": "x", "shape": [1, 2], "datatype": "BF16", "data": [1.5, -2]}]}""");
        var raw = InferenceTensor.FromBytes("x", TensorElementType.BFloat16, [1, 2], new byte[] { 0xC0, 0x3F, 0x00, 0xC0 });
        var reply = await KServeRestTestClient.InferBinaryAsync(fixture.Http, "id_bf16", [raw]);

        Assert.Equal(200, status);
        Assert.Equal("BF16", body.GetProperty("outputs")[0].GetProperty("datatype").GetString());
        Assert.Equal([1.5f, -2f], body.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
        Assert.Equal(raw.Data.ToArray(), reply.Outputs[0].Data.ToArray());
    }

    [Fact]
    public async Task Infer_RequestedOutputs_ReturnsOnlyThose()
    {
        var (status, body) = await fixture.PostJsonAsync("/v2/models/mm/infer",
            """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}], "outputs": [{"name": "z"}]}""");

        Assert.Equal(200, status);
        var z = Assert.Single(body.GetProperty("outputs").EnumerateArray());
        Assert.Equal("z", z.GetProperty("name").GetString());
        Assert.Equal([1f, 2f, 3f], z.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
    }

    [Fact]
    public async Task Infer_BinaryInputsAndOutputs_RoundTripsBytes()
    {
        float[] a = [1, 2, 3, 4, 5, 6, 7, 8];
        float[] b = [0.5f, 0.5f, 0.5f, 0.5f, -1, -1, -1, -1];
        var reply = await KServeRestTestClient.InferBinaryAsync(fixture.Http, "add", [Tensor("a", a, 2, 4), Tensor("b", b, 2, 4)]);

        Assert.Null(reply.Error);
        var sum = Assert.Single(reply.Outputs);
        Assert.Equal([2L, 4L], sum.Shape);
        Assert.Equal(a.Zip(b, (x, y) => x + y), Floats(sum.Data.Span));
    }

    [Fact]
    public async Task Infer_MultiMegabyteBinaryTensor_RoundTripsEveryByte()
    {
        // 1.5 MB in, 2.5 MB out: dozens of transport blocks in the request and in the response.
        const int rows = 131_072;
        var values = Enumerable.Range(0, rows * 3).Select(i => (float)(i % 1000)).ToArray();
        var input = Tensor("x", values, rows, 3);

        var reply = await KServeRestTestClient.InferBinaryAsync(fixture.Http, "mm", [input]);

        Assert.Null(reply.Error);
        Assert.Equal(["y", "z"], reply.Outputs.Select(o => o.Name));
        Assert.True(input.Data.Span.SequenceEqual(reply.Outputs[1].Data.Span), "output z differs from input x");
        Assert.Equal(TestModels.MatMulAddRow(values[^3], values[^2], values[^1]), Floats(reply.Outputs[0].Data.Span[^8..]));
    }

    [Fact]
    public async Task Infer_BinaryResponse_SetsHeaderAndOctetStream()
    {
        var json = """{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}], "outputs": [{"name": "y", "parameters": {"binary_data": true}}, {"name": "z"}]}""";
        using var content = new StringContent(json, Encoding.UTF8, "application/json");

        using var response = await fixture.Http.PostAsync("/v2/models/mm/infer", content);
        var bytes = await response.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        var headerLength = int.Parse(response.Headers.GetValues("Inference-Header-Content-Length").Single(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(headerLength + 8, bytes.Length);
        using var header = JsonDocument.Parse(bytes.AsMemory(0, headerLength));
        var outputs = header.RootElement.GetProperty("outputs");
        Assert.Equal(8, outputs[0].GetProperty("parameters").GetProperty("binary_data_size").GetInt32());
        Assert.False(outputs[0].TryGetProperty("data", out _));
        Assert.Equal([1f, 2f, 3f], outputs[1].GetProperty("data").EnumerateArray().Select(v => v.GetSingle()));
        Assert.Equal(TestModels.MatMulAddRow(1, 2, 3), Floats(bytes.AsSpan(headerLength)));
    }

    [Fact]
    public async Task Infer_BytesJson_ReturnsStrings()
    {
        var (status, body) = await fixture.PostJsonAsync("/v2/models/id_bytes/infer",
            """{"inputs": [{"name": "x", "shape": [1, 2], "datatype": "BYTES", "data": ["héllo", "w\"x"]}]}""");

        Assert.Equal(200, status);
        var y = Assert.Single(body.GetProperty("outputs").EnumerateArray());
        Assert.Equal("BYTES", y.GetProperty("datatype").GetString());
        Assert.Equal(["héllo", "w\"x"], y.GetProperty("data").EnumerateArray().Select(v => v.GetString()));
    }

    [Fact]
    public async Task Infer_BytesBinary_RoundTripsUtf8Bytes()
    {
        // ONNX Runtime's .NET API hands string outputs back as UTF-16 text, so only valid UTF-8 survives a model.
        ReadOnlyMemory<byte>[] strings = [new byte[] { 0, 10, 0x7F }, Array.Empty<byte>(), "abc"u8.ToArray(), "€ü"u8.ToArray()];
        var reply = await KServeRestTestClient.InferBinaryAsync(fixture.Http, "id_bytes", [InferenceTensor.FromStrings("x", [2, 2], strings)]);

        Assert.Null(reply.Error);
        var y = Assert.Single(reply.Outputs);
        Assert.Equal(strings.Select(s => s.ToArray()), y.Strings!.Select(s => s.ToArray()));
    }

    [Theory]
    [InlineData("id_fp64", "FP64", "[1.5, -2.25, 123456.5, 0]")]
    [InlineData("id_fp16", "FP16", "[1.5, -2.25, 65504, 0]")]
    [InlineData("id_bool", "BOOL", "[true, false, false, true]")]
    [InlineData("id_int8", "INT8", "[-128, 127, 0, -1]")]
    [InlineData("id_uint8", "UINT8", "[0, 255, 7, 1]")]
    [InlineData("id_int16", "INT16", "[-32768, 32767, 0, -1]")]
    [InlineData("id_uint16", "UINT16", "[0, 65535, 7, 1]")]
    [InlineData("id_int32", "INT32", "[-2147483648, 2147483647, 0, -1]")]
    [InlineData("id_uint32", "UINT32", "[0, 4294967295, 7, 1]")]
    [InlineData("id_int64", "INT64", "[-9223372036854775808, 9223372036854775807, 0, -1]")]
    [InlineData("id_uint64", "UINT64", "[0, 18446744073709551615, 7, 1]")]
    public async Task Infer_JsonEachDatatype_RoundTripsValues(string model, string datatype, string data)
    {
        var (status, body) = await fixture.PostJsonAsync($"/v2/models/{model}/infer",
            $$"""{"inputs": [{"name": "x", "shape": [2, 2], "datatype": "{{datatype}}", "data": {{data}}}]}""");

        Assert.Equal(200, status);
        var y = Assert.Single(body.GetProperty("outputs").EnumerateArray());
        Assert.Equal(datatype, y.GetProperty("datatype").GetString());
        using var expected = JsonDocument.Parse(data);
        Assert.Equal(expected.RootElement.EnumerateArray().Select(e => e.GetRawText()), y.GetProperty("data").EnumerateArray().Select(e => e.GetRawText()));
    }

    [Fact]
    public async Task Infer_NonFiniteFloats_WrittenAndReadAsStrings()
    {
        var (status, body) = await fixture.PostJsonAsync("/v2/models/id_fp32/infer",
            """{"inputs": [{"name": "x", "shape": [1, 2], "datatype": "FP32", "data": ["NaN", "-Infinity"]}]}""");

        Assert.Equal(200, status);
        Assert.Equal(["NaN", "-Infinity"], body.GetProperty("outputs")[0].GetProperty("data").EnumerateArray().Select(e => e.GetString()));
    }

    private static InferenceTensor Tensor(string name, float[] values, params long[] shape)
    {
        var bytes = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * 4), values[i]);
        }

        return InferenceTensor.FromBytes(name, TensorElementType.Float, shape, bytes);
    }

    internal static float[] Floats(ReadOnlySpan<byte> bytes)
    {
        var values = new float[bytes.Length / 4];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * 4)..]);
        }

        return values;
    }

    internal static ByteArrayContent Binary(string json, byte[] binary, string? headerLength = null)
    {
        var jsonBytes = Encoding.UTF8.GetBytes(json);
        var content = new ByteArrayContent([.. jsonBytes, .. binary]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        content.Headers.Add("Inference-Header-Content-Length", headerLength ?? jsonBytes.Length.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return content;
    }
}
