using System.Net;
using System.Text;
using System.Text.Json;
using Mantle.Serving.Tests.Models;

namespace Mantle.Serving.Tests.TfServing;

[Collection(TfServingCollection.Name)]
public sealed class TfServingRestTests(TfServingServerFixture fixture)
{
    private HttpClient Client => fixture.Rest;

    private async Task<(HttpStatusCode Status, string Body)> GetAsync(string path)
    {
        using var response = await Client.GetAsync(path);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private async Task<(HttpStatusCode Status, string Body)> PostAsync(string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await Client.PostAsync(path, content);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement;

    private static string Error(string body) => Parse(body).GetProperty("error").GetString()!;

    [Fact]
    public async Task Status_AllVersions_ReturnsTfServingShapeWithStringVersions()
    {
        var (status, body) = await GetAsync("/v1/models/mm");

        Assert.Equal(HttpStatusCode.OK, status);
        var versions = Parse(body).GetProperty("model_version_status").EnumerateArray().ToList();
        Assert.Equal(["1", "2"], versions.Select(v => v.GetProperty("version").GetString()!).Order());
        foreach (var version in versions)
        {
            Assert.Equal(JsonValueKind.String, version.GetProperty("version").ValueKind);
            Assert.Equal("AVAILABLE", version.GetProperty("state").GetString());
            Assert.Equal("OK", version.GetProperty("status").GetProperty("error_code").GetString());
            Assert.Equal(string.Empty, version.GetProperty("status").GetProperty("error_message").GetString());
        }
    }

    [Theory]
    [InlineData("/v1/models/mm/versions/1", "1")]
    [InlineData("/v1/models/mm/labels/canary", "2")]
    [InlineData("/v1/models/mm/labels/stable", "1")]
    public async Task Status_VersionOrLabel_ReturnsThatVersionOnly(string path, string version)
    {
        var (status, body) = await GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, status);
        var only = Assert.Single(Parse(body).GetProperty("model_version_status").EnumerateArray());
        Assert.Equal(version, only.GetProperty("version").GetString());
    }

    [Theory]
    [InlineData("/v1/models/nosuch")]
    [InlineData("/v1/models/mm/versions/7")]
    [InlineData("/v1/models/mm/labels/nosuch")]
    [InlineData("/v1/models/nosuch/metadata")]
    [InlineData("/v1/models/mm/versions/7/metadata")]
    public async Task StatusOrMetadata_Unknown_Returns404WithErrorBody(string path)
    {
        var (status, body) = await GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.False(string.IsNullOrWhiteSpace(Error(body)));
    }

    [Fact]
    public async Task Metadata_Latest_ReturnsSignatureDefInTfServingJson()
    {
        var (status, body) = await GetAsync("/v1/models/mm/metadata");

        Assert.Equal(HttpStatusCode.OK, status);
        var root = Parse(body);
        Assert.Equal("mm", root.GetProperty("model_spec").GetProperty("name").GetString());
        Assert.Equal("2", root.GetProperty("model_spec").GetProperty("version").GetString());
        var signature = root.GetProperty("metadata").GetProperty("signature_def").GetProperty("signature_def").GetProperty("serving_default");
        Assert.Equal("tensorflow/serving/predict", signature.GetProperty("method_name").GetString());
        var x = signature.GetProperty("inputs").GetProperty("x");
        Assert.Equal("DT_FLOAT", x.GetProperty("dtype").GetString());
        Assert.Equal("x", x.GetProperty("name").GetString());
        var dims = x.GetProperty("tensor_shape").GetProperty("dim").EnumerateArray().Select(d => d.GetProperty("size").GetString()!).ToArray();
        Assert.Equal(["-1", "3"], dims);
        Assert.False(x.GetProperty("tensor_shape").GetProperty("unknown_rank").GetBoolean());
        Assert.Equal(["y", "z"], signature.GetProperty("outputs").EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public async Task Metadata_Label_ReturnsThatVersion()
    {
        var (status, body) = await GetAsync("/v1/models/mm/labels/stable/metadata");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("1", Parse(body).GetProperty("model_spec").GetProperty("version").GetString());
    }

    [Fact]
    public async Task Predict_RowFormat_ReturnsPredictionsPerInstanceKeyedByOutput()
    {
        var (status, body) = await PostAsync("/v1/models/mm:predict", """{"instances": [[1, 2, 3], [4, 5, 6]]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var predictions = Parse(body).GetProperty("predictions").EnumerateArray().ToList();
        Assert.Equal(2, predictions.Count);
        Assert.Equal(TestModels.MatMulAddRow(1, 2, 3), Floats(predictions[0].GetProperty("y")));
        Assert.Equal(TestModels.MatMulAddRow(4, 5, 6), Floats(predictions[1].GetProperty("y")));
        Assert.Equal([4f, 5f, 6f], Floats(predictions[1].GetProperty("z")));
    }

    [Fact]
    public async Task Predict_ColumnarFormat_ReturnsOutputsKeyedByName()
    {
        var (status, body) = await PostAsync("/v1/models/mm/versions/1:predict", """{"signature_name": "serving_default", "inputs": [[1, 2, 3], [4, 5, 6]]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var outputs = Parse(body).GetProperty("outputs");
        var y = outputs.GetProperty("y").EnumerateArray().ToList();
        Assert.Equal(TestModels.MatMulAddRow(4, 5, 6), Floats(y[1]));
        Assert.Equal(3, outputs.GetProperty("z")[0].GetArrayLength());
    }

    [Fact]
    public async Task Predict_RowFormatNamedInputs_SingleOutputIsPlainList()
    {
        var (status, body) = await PostAsync("/v1/models/add:predict", """{"instances": [{"a": [1, 2, 3, 4], "b": [10, 20, 30, 40]}, {"b": [1, 1, 1, 1], "a": [0, 0, 0, 0]}]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var predictions = Parse(body).GetProperty("predictions");
        Assert.Equal([11f, 22f, 33f, 44f], Floats(predictions[0]));
        Assert.Equal([1f, 1f, 1f, 1f], Floats(predictions[1]));
    }

    [Fact]
    public async Task Predict_ColumnarNamedInputs_SingleOutputIsPlainValue()
    {
        var (status, body) = await PostAsync("/v1/models/add:predict", """{"inputs": {"a": [[1, 2, 3, 4]], "b": [[1, 1, 1, 1]]}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal([2f, 3f, 4f, 5f], Floats(Parse(body).GetProperty("outputs")[0]));
    }

    [Fact]
    public async Task Predict_ScalarColumnar_ReturnsScalar()
    {
        var (status, body) = await PostAsync("/v1/models/scalar:predict", """{"inputs": 2.5}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(2.5f, Parse(body).GetProperty("outputs").GetSingle());
    }

    [Fact]
    public async Task Predict_WholeFloats_AreWrittenWithDecimalPoint()
    {
        var (status, body) = await PostAsync("/v1/models/id_float:predict", """{"inputs": [[2, 0.5]]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"outputs":[[2.0,0.5]]}""", body);
    }

    [Fact]
    public async Task Predict_BareNaNAndInfinity_RoundTripBare()
    {
        var (status, body) = await PostAsync("/v1/models/id_float:predict", """{"instances": [[NaN, Infinity], [-Infinity, 1.5]]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("""{"predictions":[[NaN,Infinity],[-Infinity,1.5]]}""", body);
    }

    [Fact]
    public async Task Predict_NaNInsideStrings_IsLeftAlone()
    {
        var (status, body) = await PostAsync("/v1/models/id_string:predict", """{"instances": [["NaN", "x Infinity \" NaN"]]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var row = Parse(body).GetProperty("predictions")[0];
        Assert.Equal("NaN", row[0].GetString());
        Assert.Equal("x Infinity \" NaN", row[1].GetString());
    }

    [Fact]
    public async Task Predict_Base64Input_BytesOutputIsBase64Object()
    {
        // Valid UTF-8 with a NUL and a control byte: the engine carries ONNX string outputs as UTF-8.
        var bytes = new byte[] { 0, 0xC3, 0xA9, 1, 0x7F };
        var b64 = Convert.ToBase64String(bytes);

        var (status, body) = await PostAsync("/v1/models/bytes:predict", $$"""{"instances": [{"b64": "{{b64}}"}, "plain"]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var predictions = Parse(body).GetProperty("predictions");
        Assert.Equal(b64, predictions[0].GetProperty("b64").GetString());
        Assert.Equal("plain", Encoding.UTF8.GetString(Convert.FromBase64String(predictions[1].GetProperty("b64").GetString()!)));
    }

    [Fact]
    public async Task Predict_StringOutputNotNamedBytes_IsPlainString()
    {
        var (status, body) = await PostAsync("/v1/models/id_string:predict", """{"inputs": [["héllo", {"b64": "d29ybGQ="}]]}""");

        Assert.Equal(HttpStatusCode.OK, status);
        var row = Parse(body).GetProperty("outputs")[0];
        Assert.Equal("héllo", row[0].GetString());
        Assert.Equal("world", row[1].GetString());
    }

    [Theory]
    [InlineData("id_float", "[[1.5,-2.0],[3.0,4.0]]")]
    [InlineData("id_double", "[[1.5,-2.0],[3.0,4.0]]")]
    [InlineData("id_float16", "[[1.5,-2.0],[3.0,4.0]]")]
    [InlineData("id_bfloat16", "[[1.5,-2.0],[3.0,4.0]]")]
    [InlineData("id_int8", "[[-128,127],[0,1]]")]
    [InlineData("id_uint8", "[[0,255],[1,2]]")]
    [InlineData("id_int16", "[[-32768,32767],[0,1]]")]
    [InlineData("id_uint16", "[[0,65535],[1,2]]")]
    [InlineData("id_int32", "[[-2147483648,2147483647],[0,1]]")]
    [InlineData("id_uint32", "[[0,4294967295],[1,2]]")]
    [InlineData("id_int64", "[[-9223372036854775808,9223372036854775807],[0,1]]")]
    [InlineData("id_uint64", "[[0,18446744073709551615],[1,2]]")]
    [InlineData("id_bool", "[[true,false],[false,true]]")]
    [InlineData("id_string", "[[\"a\",\"b\"],[\"\",\"d\"]]")]
    public async Task Predict_EveryDtype_RoundTripsThroughIdentity(string model, string values)
    {
        var (status, body) = await PostAsync($"/v1/models/{model}:predict", $$"""{"inputs": {{values}}}""");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal($$"""{"outputs":{{values}}}""", body);
    }

    [Theory]
    [InlineData("/v1/models/mm:predict", "{\"instances\": [[1, 2, 3]", "JSON Parse error")]
    [InlineData("/v1/models/mm:predict", "[1, 2]", "not a JSON object")]
    [InlineData("/v1/models/mm:predict", "{\"signature_name\": \"serving_default\"}", "Missing 'inputs' or 'instances' key")]
    [InlineData("/v1/models/mm:predict", "{\"instances\": [[1,2,3]], \"inputs\": [[1,2,3]]}", "only one of 'inputs' or 'instances'")]
    [InlineData("/v1/models/mm:predict", "{\"instances\": []}", "No values in 'instances'")]
    [InlineData("/v1/models/mm:predict", "{\"instances\": [[1, 2, 3], [4, 5]]}", "size 3 was expected")]
    [InlineData("/v1/models/mm:predict", "{\"instances\": [[1, 2, [3]]]}", "nested lists must be dense")]
    [InlineData("/v1/models/mm:predict", "{\"instances\": [[1, \"two\", 3]]}", "not of expected type DT_FLOAT")]
    [InlineData("/v1/models/mm:predict", "{\"instances\": [[1, 2, 1e39]]}", "not of expected type DT_FLOAT")]
    [InlineData("/v1/models/mm:predict", "{\"signature_name\": \"classify\", \"instances\": [[1, 2, 3]]}", "Serving signature key \"classify\" not found")]
    [InlineData("/v1/models/id_uint8:predict", "{\"inputs\": [[1, 256]]}", "DT_UINT8")]
    [InlineData("/v1/models/id_int32:predict", "{\"inputs\": [[1, 2.5]]}", "DT_INT32")]
    [InlineData("/v1/models/id_bool:predict", "{\"inputs\": [[1, 0]]}", "DT_BOOL")]
    [InlineData("/v1/models/id_string:predict", "{\"inputs\": [[{\"b64\": \"***\"}, \"a\"]]}", "not valid base64")]
    [InlineData("/v1/models/id_string:predict", "{\"inputs\": [[{\"b64\": \"YQ==\", \"x\": 1}, \"a\"]]}", "b64")]
    [InlineData("/v1/models/add:predict", "{\"instances\": [[1, 2, 3, 4]]}", "expecting list of objects")]
    [InlineData("/v1/models/add:predict", "{\"instances\": [{\"a\": [1, 2, 3, 4]}]}", "Missing named input: b")]
    [InlineData("/v1/models/add:predict", "{\"instances\": [{\"a\": [1, 2, 3, 4], \"b\": [1, 2, 3, 4], \"c\": [1]}]}", "keys must be equal to: a, b")]
    [InlineData("/v1/models/add:predict", "{\"instances\": [{\"a\": [1, 2, 3, 4], \"b\": [1, 2, 3, 4]}, {\"a\": [1, 2, 3], \"b\": [1, 2, 3]}]}", "Failed to process element: 1 key: a")]
    [InlineData("/v1/models/add:predict", "{\"inputs\": {\"a\": [[1, 2, 3, 4]]}}", "Missing named input: b in 'inputs' object.")]
    [InlineData("/v1/models/add:predict", "{\"inputs\": [[1, 2, 3, 4]]}", "expecting an object as multiple input tensors")]
    [InlineData("/v1/models/add:predict", "{\"inputs\": {\"a\": [[1, 2, 3, 4]], \"b\": [[1, 2, 3]]}}", "b")]
    public async Task Predict_BadRequest_Returns400NamingTheProblem(string path, string json, string expected)
    {
        var (status, body) = await PostAsync(path, json);

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains(expected, Error(body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_ShapeMismatch_Returns400NamingTheInput()
    {
        var (status, body) = await PostAsync("/v1/models/mm:predict", """{"instances": [[1, 2, 3, 4]]}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("'x'", Error(body), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1/models/nosuch:predict")]
    [InlineData("/v1/models/mm/versions/9:predict")]
    [InlineData("/v1/models/mm/labels/nosuch:predict")]
    public async Task Predict_UnknownModelVersionOrLabel_Returns404(string path)
    {
        var (status, body) = await PostAsync(path, """{"instances": [[1, 2, 3]]}""");

        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.False(string.IsNullOrWhiteSpace(Error(body)));
    }

    [Theory]
    [InlineData("classify")]
    [InlineData("regress")]
    public async Task ClassifyOrRegress_Returns501WithClearMessage(string verb)
    {
        var (status, body) = await PostAsync($"/v1/models/mm:{verb}", """{"examples": [{"x": 1}]}""");

        Assert.Equal(HttpStatusCode.NotImplemented, status);
        Assert.Contains($":{verb} API is not supported", Error(body), StringComparison.Ordinal);
        Assert.Contains(":predict", Error(body), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/v1/models/mm:explain")]
    [InlineData("/v1/models/mm")]
    [InlineData("/v1/models/mm/versions/x:predict")]
    public async Task Post_MalformedPath_Returns400(string path)
    {
        var (status, body) = await PostAsync(path, """{"instances": [[1, 2, 3]]}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Contains("Malformed request", Error(body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_OversizedBody_Returns413AndServerKeepsServing()
    {
        var big = "{\"instances\": [" + string.Join(",", Enumerable.Repeat("[1.0, 2.0, 3.0]", (int)(TfServingServerFixture.RestBodyLimit / 10))) + "]}";

        var (status, body) = await PostAsync("/v1/models/mm:predict", big);
        var (after, _) = await PostAsync("/v1/models/mm:predict", """{"instances": [[1, 2, 3]]}""");

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.Contains("larger than the limit", Error(body), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, after);
    }

    [Fact]
    public async Task Predict_ErrorMessage_DoesNotEchoPayload()
    {
        const string secret = "s3cr3t-payload-value";

        var (status, body) = await PostAsync("/v1/models/mm:predict", $$"""{"instances": [[1, "{{secret}}", 3]], "{{secret}}": 1}""");

        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.DoesNotContain(secret, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Predict_Success_IsCountedInMetrics()
    {
        var (status, _) = await PostAsync("/v1/models/mm/versions/1:predict", """{"instances": [[1, 2, 3]]}""");
        var (_, metrics) = await GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Contains("mantle_serving_requests_total{model=\"mm\",version=\"1\",api=\"tfs-rest\",outcome=\"ok\"}", metrics, StringComparison.Ordinal);
    }

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => e.GetSingle()).ToArray();
}
