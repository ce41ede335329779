using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Mantle.Serving.Protocol.Internal;
using Mantle.Serving.Tests.Protocol;

namespace Mantle.Serving.Tests.TfServing;

/// <summary>
/// The bad-input suite of the TF Serving REST API, with generated cases: every malformed predict request is
/// refused with 400 and an <c>{"error": …}</c> that names the problem, never a 500 or a stack trace, and the
/// server answers a good request right after.
/// </summary>
[Collection(TfServingCollection.Name)]
public sealed class TfServingBadInputTests(TfServingServerFixture fixture)
{
    private const string Predict = "/v1/models/mm:predict";
    private const string GoodBody = """{"instances": [[1, 2, 3]]}""";

    /// <summary>Places where a string goes: the model, the request around the hole, and what the refusal must say.</summary>
    private static readonly (string Model, string Before, string After, string Mention)[] StringSlots =
    [
        ("mm", "{\"signature_name\": \"", "\", \"instances\": [[1, 2, 3]]}", "signature_name is not valid UTF-8"),
        ("mm", "{\"", "\": 1, \"instances\": [[1, 2, 3]]}", "a property name in the request body is not valid UTF-8"),
        ("add", "{\"instances\": [{\"", "\": [1, 2, 3, 4], \"b\": [1, 2, 3, 4]}]}", "a property name in instances[0] is not valid UTF-8"),
        ("add", "{\"inputs\": {\"", "\": [[1, 2, 3, 4]], \"b\": [[1, 2, 3, 4]]}}", "a property name in inputs is not valid UTF-8"),
        ("bytes", "{\"instances\": [\"ok\", \"", "\"]}", "value 1 is not valid UTF-8"),
        ("bytes", "{\"instances\": [{\"b64\": \"", "\"}]}", "value 0 is not valid UTF-8"),
    ];

    /// <summary>Fields given a value of the wrong JSON type: model, request with a hole, the kinds allowed, what the refusal names.</summary>
    private static readonly (string Model, string Template, JsonKind[] Allowed, string Mention)[] TypedFields =
    [
        ("mm", "{\"signature_name\": @, \"instances\": [[1, 2, 3]]}", [JsonKind.String], "'signature_name'"),
        ("mm", "{\"instances\": @}", [JsonKind.Array], "'instances'"),
        ("mm", "{\"instances\": [[1, 2, @]]}", [JsonKind.Number, JsonKind.Array], "DT_FLOAT"),
        ("add", "{\"inputs\": @}", [JsonKind.Object], "inputs"),
        (TfServingServerFixture.IdentityName(Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Bool), "{\"inputs\": [[true, @]]}", [JsonKind.Bool, JsonKind.Array], "DT_BOOL"),
        (TfServingServerFixture.IdentityName(Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Int32), "{\"inputs\": [[1, @]]}", [JsonKind.Number, JsonKind.Array], "DT_INT32"),
    ];

    /// <summary>Float dtypes and the smallest magnitude that is out of their range.</summary>
    private static readonly (string Model, string Dtype, double Overflow)[] FloatTypes =
    [
        (TfServingServerFixture.IdentityName(Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float), "DT_FLOAT", 3.4028236e38),
        (TfServingServerFixture.IdentityName(Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.Float16), "DT_HALF", 65520),
        (TfServingServerFixture.IdentityName(Microsoft.ML.OnnxRuntime.Tensors.TensorElementType.BFloat16), "DT_BFLOAT16", 3.3961514e38),
    ];

    [Property(MaxTest = 100)]
    public Property Predict_StringThatIsNotUtf8Text_Returns400NamingTheField() =>
        Prop.ForAll(Gen.Elements(StringSlots).ToArbitrary(), BadJson.NotTextContent.ToArbitrary(), (slot, content) =>
        {
            var (model, before, after, mention) = slot;
            AssertRefused(Post($"/v1/models/{model}:predict", BadJson.Body(before, content, after)), mention);
        });

    [Property(MaxTest = 100)]
    public Property Predict_BodyThatCannotStartJson_Returns400() =>
        Prop.ForAll(BadJson.NonJsonBody.ToArbitrary(), body => AssertRefused(Post(Predict, body), "not a JSON object"));

    [Property(MaxTest = 100)]
    public Property Predict_FieldOfWrongType_Returns400NamingTheField() =>
        Prop.ForAll(BadJson.WrongType(TypedFields, f => f.Allowed), pick =>
        {
            var ((model, template, _, mention), value) = pick;
            AssertRefused(Post($"/v1/models/{model}:predict", Encoding.UTF8.GetBytes(template.Replace("@", value, StringComparison.Ordinal))), mention);
        });

    [Property(MaxTest = 100)]
    public Property Predict_FloatOutOfDtypeRange_Returns400NamingTheDtype() =>
        Prop.ForAll(Gen.Choose(0, FloatTypes.Length - 1).SelectMany(i => BadJson.NumberAtLeast(FloatTypes[i].Overflow).Select(n => (i, n))).ToArbitrary(), pick =>
        {
            var (model, dtype, _) = FloatTypes[pick.i];
            AssertRefused(Post($"/v1/models/{model}:predict", Encoding.UTF8.GetBytes($$"""{"inputs": [[1, {{pick.n}}]]}""")), "value 1", dtype);
        });

    [Property(MaxTest = 20)]
    public Property Predict_NestingPastTheDepthLimit_Returns400() =>
        Prop.ForAll(BadJson.DeeplyNested(129).ToArbitrary(), data =>
            AssertRefused(Post(Predict, Encoding.UTF8.GetBytes($$"""{"instances": {{data}}}""")), "JSON Parse error"));

    [Property(MaxTest = 30)]
    public Property Predict_SignatureNameOverTheLimit_Returns400NamingFieldAndLimit() =>
        Prop.ForAll(Gen.Choose(RequestText.MaxBytes + 1, 8 * RequestText.MaxBytes).ToArbitrary(), length =>
            AssertRefused(
                Post(Predict, Encoding.UTF8.GetBytes("{\"signature_name\": \"" + new string('s', length) + "\", \"instances\": [[1, 2, 3]]}")),
                "'signature_name'", $"longer than {RequestText.MaxBytes} bytes"));

    private (int Status, string Body) Post(string path, byte[] body)
    {
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = fixture.Rest.PostAsync(path, content).GetAwaiter().GetResult();
        return ((int)response.StatusCode, response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
    }

    private void AssertRefused((int Status, string Body) reply, params string[] mentions)
    {
        Assert.True(reply.Status == 400, $"status {reply.Status}: {reply.Body}");
        using var document = JsonDocument.Parse(reply.Body);
        BadJson.AssertNames(reply.Body, document.RootElement.GetProperty("error").GetString()!, mentions);

        var (status, body) = Post(Predict, Encoding.UTF8.GetBytes(GoodBody));
        Assert.True(status == 200, $"a good request after the bad one got {status}: {body}");
    }
}
