using System.Globalization;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Grpc.Core;
using Inference;
using Mantle.Serving.Protocol.Internal;
using Mantle.Serving.Tests.Protocol;

namespace Mantle.Serving.Tests.KServe;

/// <summary>
/// The bad-input suite of the KServe v2 API, with generated cases: every malformed request is refused with the
/// status the protocol documents and an <c>{"error": …}</c> that names the problem, never a 500 or a stack trace,
/// and the server answers a good request right after.
/// </summary>
public sealed class KServeBadInputTests(KServeServerFixture fixture) : IClassFixture<KServeServerFixture>
{
    private const string Infer = "/v2/models/mm/infer";
    private const string GoodInput = """{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": [1, 2, 3]}""";

    /// <summary>Places in a valid request where a string goes, and the location its refusal must name.</summary>
    private static readonly (string Before, string After, string Location)[] StringSlots =
    [
        ("{\"id\": \"", "\", \"inputs\": [" + GoodInput + "]}", "id is not valid UTF-8"),
        ("{\"inputs\": [{\"name\": \"", "\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}", "inputs[0].name is not valid UTF-8"),
        ("{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"", "\", \"data\": [1, 2, 3]}]}", "inputs[0].datatype is not valid UTF-8"),
        ("{\"inputs\": [" + GoodInput + "], \"outputs\": [{\"name\": \"", "\"}]}", "outputs[0].name is not valid UTF-8"),
        ("{\"", "\": 1, \"inputs\": [" + GoodInput + "]}", "a property name in the request body is not valid UTF-8"),
        ("{\"inputs\": [{\"", "\": 1, \"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}", "a property name in inputs[0] is not valid UTF-8"),
        ("{\"inputs\": [" + GoodInput + "], \"parameters\": {\"", "\": true}}", "a property name in parameters is not valid UTF-8"),
    ];

    /// <summary>Fields given a value of the wrong JSON type: the request with a hole, the kinds the field accepts, what the refusal names.</summary>
    private static readonly (string Template, JsonKind[] Allowed, string Mention)[] TypedFields =
    [
        ("{\"id\": @, \"inputs\": [" + GoodInput + "]}", [JsonKind.String], "\"id\" must be a string"),
        ("{\"inputs\": @}", [JsonKind.Array], "\"inputs\""),
        ("{\"inputs\": [@]}", [JsonKind.Object], "\"inputs\""),
        ("{\"inputs\": [{\"name\": @, \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}", [JsonKind.String], "\"name\""),
        ("{\"inputs\": [{\"name\": \"x\", \"shape\": @, \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}", [JsonKind.Array], "\"shape\""),
        ("{\"inputs\": [{\"name\": \"x\", \"shape\": [1, @], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}", [], "\"shape\""),
        ("{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": @, \"data\": [1, 2, 3]}]}", [JsonKind.String], "\"datatype\""),
        ("{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, @]}]}", [JsonKind.Number, JsonKind.Array], "'x'"),
        ("{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"parameters\": {\"binary_data_size\": @}}]}", [JsonKind.Number], "binary_data_size"),
        ("{\"inputs\": [" + GoodInput + "], \"parameters\": @}", [JsonKind.Object], "\"parameters\""),
        ("{\"inputs\": [" + GoodInput + "], \"parameters\": {\"binary_data_output\": @}}", [JsonKind.Bool], "binary_data_output"),
        ("{\"inputs\": [" + GoodInput + "], \"outputs\": @}", [JsonKind.Array], "\"outputs\""),
        ("{\"inputs\": [" + GoodInput + "], \"outputs\": [{\"name\": @}]}", [JsonKind.String], "an output's \"name\""),
    ];

    /// <summary>Float datatypes and the smallest magnitude that is out of their range.</summary>
    private static readonly (string Model, string Datatype, double Overflow)[] FloatTypes =
    [
        ("id_fp32", "FP32", 3.4028236e38),
        ("id_fp16", "FP16", 65520),
        ("id_bf16", "BF16", 3.3961514e38),
    ];

    [Property(MaxTest = 100)]
    public Property Infer_StringThatIsNotUtf8Text_Returns400NamingTheField() =>
        Prop.ForAll(Gen.Elements(StringSlots).ToArbitrary(), BadJson.NotTextContent.ToArbitrary(), (slot, content) =>
        {
            var (before, after, location) = slot;
            AssertRefused(Post(Infer, BadJson.Body(before, content, after)), 400, location);
        });

    [Property(MaxTest = 50)]
    public Property Infer_BytesElementThatIsNotUtf8Text_Returns400NamingTheElement() =>
        Prop.ForAll(BadJson.NotTextContent.ToArbitrary(), Gen.Choose(0, 3).ToArbitrary(), (content, index) =>
        {
            var elements = Enumerable.Range(0, 4).Select(i => i == index ? BadJson.Body("\"", content, "\"") : BadJson.Body("\"ok\"")).ToArray();
            var data = BadJson.Body([.. elements.SelectMany((e, i) => i == 0 ? new object[] { e } : [", ", e])]);
            var body = BadJson.Body("""{"inputs": [{"name": "x", "shape": [2, 2], "datatype": "BYTES", "data": [""", data, "]}]}");
            AssertRefused(Post("/v2/models/id_bytes/infer", body), 400, "input 'x'", $"element {index} is not valid UTF-8");
        });

    [Property(MaxTest = 100)]
    public Property Infer_BodyThatCannotStartJson_Returns400BeforeReadingIt() =>
        Prop.ForAll(BadJson.NonJsonBody.ToArbitrary(), body => AssertRefused(Post(Infer, body), 400, "not a JSON object"));

    [Property(MaxTest = 100)]
    public Property Infer_FieldOfWrongType_Returns400NamingTheField() =>
        Prop.ForAll(BadJson.WrongType(TypedFields, f => f.Allowed), pick =>
        {
            var ((template, _, mention), value) = pick;
            AssertRefused(Post(Infer, Encoding.UTF8.GetBytes(template.Replace("@", value, StringComparison.Ordinal))), 400, mention);
        });

    [Property(MaxTest = 100)]
    public Property Infer_FloatOutOfDatatypeRange_Returns400NamingTheElement() =>
        Prop.ForAll(Gen.Choose(0, FloatTypes.Length - 1).SelectMany(i => BadJson.NumberAtLeast(FloatTypes[i].Overflow).Select(n => (i, n))).ToArbitrary(), pick =>
        {
            var (model, datatype, _) = FloatTypes[pick.i];
            var body = $$"""{"inputs": [{"name": "x", "shape": [1, 2], "datatype": "{{datatype}}", "data": [1, {{pick.n}}]}]}""";
            AssertRefused(Post($"/v2/models/{model}/infer", Encoding.UTF8.GetBytes(body)), 400, "input 'x'", "element 1", datatype);
        });

    [Property(MaxTest = 20)]
    public Property Infer_NestingPastTheDepthLimit_Returns400() =>
        Prop.ForAll(BadJson.DeeplyNested(65).ToArbitrary(), data =>
            AssertRefused(Post(Infer, Encoding.UTF8.GetBytes($$"""{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "data": {{data}}}]}""")), 400, "malformed JSON"));

    [Property(MaxTest = 50)]
    public Property Infer_HugeDeclaredShape_Returns400WithoutAllocatingIt() =>
        Prop.ForAll(Gen.Choose(1, 62).SelectMany(bits => Gen.Choose(1, 8).Select(rank => (bits, rank))).ToArbitrary(), pick =>
        {
            var dims = string.Join(", ", Enumerable.Repeat((1L << pick.bits).ToString(CultureInfo.InvariantCulture), pick.rank));
            var body = $$"""{"inputs": [{"name": "x", "shape": [{{dims}}, 3], "datatype": "FP32", "data": [1, 2, 3]}]}""";
            var reply = Post(Infer, Encoding.UTF8.GetBytes(body));
            AssertRefused(reply, 400, "input 'x'");
        });

    [Property(MaxTest = 50)]
    public Property Infer_HeaderLengthBeyondTheBody_Returns400BeforeReadingIt() =>
        Prop.ForAll(Gen.Choose(1, int.MaxValue).ToArbitrary(), extra =>
        {
            var json = Encoding.UTF8.GetBytes("{\"inputs\": [" + GoodInput + "]}");
            var reply = Post(Infer, json, (long)json.Length + extra);
            AssertRefused(reply, 400, "Inference-Header-Content-Length", json.Length.ToString(CultureInfo.InvariantCulture));
        });

    [Property(MaxTest = 50)]
    public Property Infer_BinaryDataSizeThatLies_Returns400() =>
        Prop.ForAll(Gen.Choose(0, 64).Where(n => n != 12).ToArbitrary(), Gen.Choose(0, 64).ToArbitrary(), (declared, actual) =>
        {
            var json = Encoding.UTF8.GetBytes($$$"""{"inputs": [{"name": "x", "shape": [1, 3], "datatype": "FP32", "parameters": {"binary_data_size": {{{declared}}}}}]}""");
            AssertRefused(Post(Infer, [.. json, .. new byte[actual]], json.Length), 400, "bytes");
        });

    [Property(MaxTest = 30)]
    public Property Infer_TextFieldOverTheLimit_Returns400NamingFieldAndLimit() =>
        Prop.ForAll(Gen.Choose(RequestText.MaxBytes + 1, 8 * RequestText.MaxBytes).ToArbitrary(), Gen.Choose(0, 2).ToArbitrary(), (length, field) =>
        {
            var text = new string('a', length);
            var (body, mention) = field switch
            {
                0 => ("{\"id\": \"" + text + "\", \"inputs\": [" + GoodInput + "]}", "\"id\""),
                1 => ("{\"inputs\": [{\"name\": \"" + text + "\", \"shape\": [1, 3], \"datatype\": \"FP32\", \"data\": [1, 2, 3]}]}", "an input's \"name\""),
                _ => ("{\"inputs\": [{\"name\": \"x\", \"shape\": [1, 3], \"datatype\": \"" + text + "\", \"data\": [1, 2, 3]}]}", "an input's \"datatype\""),
            };
            AssertRefused(Post(Infer, Encoding.UTF8.GetBytes(body)), 400, mention, $"longer than {RequestText.MaxBytes} bytes");
        });

    [Fact]
    public async Task Infer_IdOfManyMegabytes_Returns400BeforeInference()
    {
        var body = Encoding.UTF8.GetBytes("{\"id\": \"" + new string('7', 16 * 1024 * 1024) + "\", \"inputs\": [" + GoodInput + "]}");

        var reply = await fixture.PostBytesAsync(Infer, body);

        AssertRefused(reply, 400, "\"id\"", $"longer than {RequestText.MaxBytes} bytes");
    }

    [Fact]
    public async Task Infer_IdAtTheLimit_IsEchoed()
    {
        var id = new string('é', RequestText.MaxBytes / 2);

        var (status, body) = await fixture.PostJsonAsync(Infer, "{\"id\": \"" + id + "\", \"inputs\": [" + GoodInput + "]}");

        Assert.Equal(200, status);
        Assert.Equal(id, body.GetProperty("id").GetString());
    }

    [Property(MaxTest = 30)]
    public Property GrpcInfer_TextFieldOverTheLimit_IsInvalidArgumentNamingFieldAndLimit() =>
        Prop.ForAll(Gen.Choose(RequestText.MaxBytes + 1, 8 * RequestText.MaxBytes).ToArbitrary(), Gen.Choose(0, 3).ToArbitrary(), (length, field) =>
        {
            var text = new string('b', length);
            var request = new ModelInferRequest { ModelName = field == 0 ? text : "mm", Id = field == 1 ? text : "" };
            var input = new ModelInferRequest.Types.InferInputTensor { Name = field == 2 ? text : "x", Datatype = field == 3 ? text : "FP32" };
            input.Shape.Add([1, 3]);
            input.Contents = new InferTensorContents();
            input.Contents.Fp32Contents.Add([1, 2, 3]);
            request.Inputs.Add(input);

            var ex = Assert.Throws<RpcException>(() => fixture.Grpc.ModelInfer(request));

            Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
            Assert.Contains($"longer than {RequestText.MaxBytes} bytes", ex.Status.Detail, StringComparison.Ordinal);
            Assert.True(BadJson.IsClean(ex.Status.Detail), ex.Status.Detail);
            AssertStillServing();
        });

    private (int Status, string Body) Post(string path, byte[] body, long? headerLength = null) =>
        fixture.PostBytesAsync(path, body, headerLength).GetAwaiter().GetResult();

    private void AssertRefused((int Status, string Body) reply, int status, params string[] mentions)
    {
        Assert.True(reply.Status == status, $"status {reply.Status}: {reply.Body}");
        using var document = JsonDocument.Parse(reply.Body);
        BadJson.AssertNames(reply.Body, document.RootElement.GetProperty("error").GetString()!, mentions);

        AssertStillServing();
    }

    private void AssertStillServing()
    {
        var (status, body) = Post(Infer, Encoding.UTF8.GetBytes("{\"inputs\": [" + GoodInput + "]}"));
        Assert.True(status == 200, $"a good request after the bad one got {status}: {body}");
    }
}
