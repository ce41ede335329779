using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Mantle.Serving.Engine;
using Mantle.Serving.KServe.Internal;
using Mantle.Serving.TfServing.Internal.Rest;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Tests.Protocol.Internal;

/// <summary>One rule for JSON numbers in float tensors: KServe and TF Serving REST accept and refuse the same numbers.</summary>
public sealed class JsonFloatsTests
{
    private static readonly TensorElementType[] FloatTypes = [TensorElementType.Float, TensorElementType.Double, TensorElementType.Float16, TensorElementType.BFloat16];

    /// <summary>Numbers around every float type's range edges, and beyond a double's.</summary>
    private static Gen<string> Literal =>
        Gen.OneOf(
            from mantissa in Gen.Choose(1, 999_999)
            from exponent in Gen.Choose(-50, 320)
            from negative in Gen.Elements(false, true)
            select string.Create(CultureInfo.InvariantCulture, $"{(negative ? "-" : "")}{mantissa / 100_000m}e{exponent}"),
            Gen.Elements("65504", "65519", "65520", "3.4028234e38", "3.4028235e38", "3.4028236e38", "3.3895e38", "3.3961514e38", "3.3962e38",
                "1.7976931348623157e308", "1.8e308", "1e39", "-1e39", "4.9e-324", "1e-400"));

    [Property(MaxTest = 2000)]
    public Property Number_EveryFloatType_KServeAndTfServingAgree() =>
        Prop.ForAll(Literal.ToArbitrary(), Gen.Elements(FloatTypes).ToArbitrary(), (literal, type) =>
            KServeAccepts(literal, type) == TfServingAccepts(literal, type));

    [Theory]
    [InlineData("1e39", TensorElementType.Float, false)]
    [InlineData("3.4028234e38", TensorElementType.Float, true)]
    [InlineData("1e39", TensorElementType.Double, true)]
    [InlineData("1e309", TensorElementType.Double, false)]
    [InlineData("65504", TensorElementType.Float16, true)]
    [InlineData("70000", TensorElementType.Float16, false)]
    [InlineData("3.38e38", TensorElementType.BFloat16, true)]
    [InlineData("3.4e38", TensorElementType.BFloat16, false)]
    [InlineData("1e-50", TensorElementType.Float, true)]
    public void Number_OutsideTheTypesFiniteRange_IsRefusedByBoth(string literal, TensorElementType type, bool accepted)
    {
        Assert.Equal(accepted, KServeAccepts(literal, type));
        Assert.Equal(accepted, TfServingAccepts(literal, type));
    }

    private static bool KServeAccepts(string literal, TensorElementType type)
    {
        try
        {
            KServeJsonDataDecoder.DecodeFixed(Encoding.UTF8.GetBytes($"[{literal}]"), "x", type, 1);
            return true;
        }
        catch (KServeRequestException)
        {
            return false;
        }
    }

    private static bool TfServingAccepts(string literal, TensorElementType type)
    {
        var body = Encoding.UTF8.GetBytes($$"""{"inputs": [{{literal}}]}""");
        var signature = new ModelSignature([new TensorSpec("x", type, [-1])], [new TensorSpec("y", type, [-1])]);
        using var request = JsonPredictRequest.Parse(body, body.Length, signature);
        return request.Error is null;
    }
}
