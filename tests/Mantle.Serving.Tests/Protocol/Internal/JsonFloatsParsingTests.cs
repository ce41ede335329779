using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Mantle.Serving.Engine;
using Mantle.Serving.Protocol.Internal;
using Mantle.Serving.KServe.Internal;
using Mantle.Serving.TfServing.Internal.Rest;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Mantle.Serving.Tests.Protocol.Internal;

/// <summary>
/// The fast float parsing of JSON tensors gives exactly what <see cref="float.Parse(string, IFormatProvider)"/> and
/// <see cref="double.Parse(string, IFormatProvider)"/> give, bit for bit, on edge cases and on generated numbers.
/// </summary>
public sealed class JsonFloatsParsingTests
{
    private static readonly string[] EdgeCases =
    [
        "0", "-0", "0.0", "-0.0", "0e0", "-0e-0", "1", "-1", "1.5", "0.1", "0.2", "0.3", "1e10", "1E+10", "1e-10", "1E-10",
        "3.4028235e38", "-3.4028235e38", "3.4028234663852886e38", "3.40282356e38", "3.4028235677973366e38",
        "1.1754944e-38", "1.17549435e-38", "1.1754942e-38", "1e-45", "1.4e-45", "1.401298464324817e-45", "7e-46", "7.1e-46", "2e-46",
        "-1.4e-45", "1e-50", "1e-400", "-1e-400", "1.7976931348623157e308", "-1.7976931348623157e308", "2.2250738585072014e-308",
        "2.2250738585072011e-308", "4.9406564584124654e-324", "5e-324", "2.4703282292062328e-324", "2.4703282292062327e-324",
        "16777216", "16777217", "16777217.000000001", "9007199254740993", "9007199254740992.5", "123456789012345678901234567890",
        "0.000000000000000000000000000000000000000000001", "3.141592653589793238462643383279502884197169399375105820974944",
        "1.00000005960464477539062500000000000000000000000000000000000001", "1.000000059604644775390625",
        "1e39", "-1e39", "1e309", "-1e309", "1e400", "123e-2", "100000000000000000000000000000000000000e1",
    ];

    public static TheoryData<string> Edges() => [.. EdgeCases];

    [Theory]
    [MemberData(nameof(Edges))]
    public void TryGetSingle_EdgeCases_MatchFloatParseBitForBit(string text) => AssertSingle(text);

    [Theory]
    [MemberData(nameof(Edges))]
    public void TryGetDouble_EdgeCases_MatchDoubleParseBitForBit(string text) => AssertDouble(text);

    [Fact]
    public void TryGetSingle_GeneratedNumbers_MatchFloatParseBitForBit()
    {
        foreach (var text in Generated(new Random(7), 50_000))
        {
            AssertSingle(text);
        }
    }

    [Fact]
    public void TryGetDouble_GeneratedNumbers_MatchDoubleParseBitForBit()
    {
        foreach (var text in Generated(new Random(11), 50_000))
        {
            AssertDouble(text);
        }
    }

    [Fact]
    public void TryGetSingle_NotANumberToken_IsRefused()
    {
        var reader = new Utf8JsonReader("\"1.5\""u8);
        reader.Read();

        Assert.False(JsonFloats.TryGetSingle(ref reader, out _));
        Assert.False(JsonFloats.TryGetDouble(ref reader, out _));
    }

    [Fact]
    public void TfServingRest_FloatInputs_AreTheNearestFloats()
    {
        var texts = EdgeCases.Concat(Generated(new Random(3), 2000)).Where(t => float.IsFinite(float.Parse(t, CultureInfo.InvariantCulture))).ToList();
        var body = Encoding.UTF8.GetBytes("{\"inputs\": [" + string.Join(", ", texts) + "]}");
        var signature = new ModelSignature([new TensorSpec("x", TensorElementType.Float, [-1])], []);

        using var request = JsonPredictRequest.Parse(body, body.Length, signature);

        Assert.Null(request.Error);
        var data = request.Inputs[0].Data.Span;
        for (var i = 0; i < texts.Count; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(float.Parse(texts[i], CultureInfo.InvariantCulture)), BinaryPrimitives.ReadInt32LittleEndian(data[(i * 4)..]));
        }
    }

    [Theory]
    [InlineData("1e39")]
    [InlineData("-3.5e38")]
    [InlineData("1e400")]
    public void TfServingRest_FloatOutOfRange_IsAnError(string text)
    {
        var body = Encoding.UTF8.GetBytes("{\"inputs\": [1, " + text + "]}");
        var signature = new ModelSignature([new TensorSpec("x", TensorElementType.Float, [-1])], []);

        using var request = JsonPredictRequest.Parse(body, body.Length, signature);

        Assert.NotNull(request.Error);
    }

    [Fact]
    public void TfServingRest_NonFiniteSpellings_AreStillRead()
    {
        var body = Encoding.UTF8.GetBytes("{\"inputs\": [\"NaN\", \"Infinity\", \"-Infinity\", -0]}");
        var signature = new ModelSignature([new TensorSpec("x", TensorElementType.Float, [-1])], []);

        using var request = JsonPredictRequest.Parse(body, body.Length, signature);

        Assert.Null(request.Error);
        var data = request.Inputs[0].Data.Span;
        Assert.True(float.IsNaN(BinaryPrimitives.ReadSingleLittleEndian(data)));
        Assert.Equal(float.PositiveInfinity, BinaryPrimitives.ReadSingleLittleEndian(data[4..]));
        Assert.Equal(float.NegativeInfinity, BinaryPrimitives.ReadSingleLittleEndian(data[8..]));
        Assert.True(float.IsNegative(BinaryPrimitives.ReadSingleLittleEndian(data[12..])));
    }

    [Fact]
    public void KServeJson_Fp32AndFp64_AreTheNearestValues()
    {
        var texts = EdgeCases.Concat(Generated(new Random(5), 2000)).Where(t => float.IsFinite(float.Parse(t, CultureInfo.InvariantCulture))).ToList();
        var json = Encoding.UTF8.GetBytes("[" + string.Join(", ", texts) + "]");

        var fp32 = KServeJsonDataDecoder.DecodeFixed(json, "x", TensorElementType.Float, texts.Count);
        var fp64 = KServeJsonDataDecoder.DecodeFixed(json, "x", TensorElementType.Double, texts.Count);

        for (var i = 0; i < texts.Count; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(float.Parse(texts[i], CultureInfo.InvariantCulture)), BinaryPrimitives.ReadInt32LittleEndian(fp32.AsSpan(i * 4)));
            Assert.Equal(BitConverter.DoubleToInt64Bits(double.Parse(texts[i], CultureInfo.InvariantCulture)), BinaryPrimitives.ReadInt64LittleEndian(fp64.AsSpan(i * 8)));
        }
    }

    [Fact]
    public void KServeJson_Fp64OutOfRange_IsRefused()
    {
        var error = Assert.Throws<KServeRequestException>(() => KServeJsonDataDecoder.DecodeFixed("[1, 1e400]"u8, "x", TensorElementType.Double, 2));

        Assert.Contains("element 1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KServeJson_NonFiniteSpellings_AreStillRead()
    {
        var fp32 = KServeJsonDataDecoder.DecodeFixed("[\"NaN\", \"Infinity\", \"-Infinity\", -0]"u8, "x", TensorElementType.Float, 4);

        Assert.True(float.IsNaN(BinaryPrimitives.ReadSingleLittleEndian(fp32)));
        Assert.Equal(float.PositiveInfinity, BinaryPrimitives.ReadSingleLittleEndian(fp32.AsSpan(4)));
        Assert.Equal(float.NegativeInfinity, BinaryPrimitives.ReadSingleLittleEndian(fp32.AsSpan(8)));
        Assert.True(float.IsNegative(BinaryPrimitives.ReadSingleLittleEndian(fp32.AsSpan(12))));
    }

    private static void AssertSingle(string text)
    {
        var expected = float.Parse(text, CultureInfo.InvariantCulture);
        var reader = Reader(text);
        var ok = JsonFloats.TryGetSingle(ref reader, out var actual);
        if (float.IsFinite(expected))
        {
            Assert.True(ok, text);
            Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(actual), $"{text}: expected {expected:R}, got {actual:R}");
        }
        else
        {
            Assert.False(ok, text);
        }
    }

    private static void AssertDouble(string text)
    {
        var expected = double.Parse(text, CultureInfo.InvariantCulture);
        var reader = Reader(text);
        var ok = JsonFloats.TryGetDouble(ref reader, out var actual);
        if (double.IsFinite(expected))
        {
            Assert.True(ok, text);
            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(actual), $"{text}: expected {expected:R}, got {actual:R}");
        }
        else
        {
            Assert.False(ok, text);
        }
    }

    private static Utf8JsonReader Reader(string text)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(text));
        Assert.True(reader.Read());
        Assert.Equal(JsonTokenType.Number, reader.TokenType);
        return reader;
    }

    /// <summary>
    /// JSON numbers of every shape: shortest round-trip texts of random float and double bit patterns (subnormals and
    /// extremes included), the same printed with 9 and 17 significant digits, random digit strings with long mantissas and
    /// large exponents, and values halfway between two floats.
    /// </summary>
    private static IEnumerable<string> Generated(Random random, int count)
    {
        for (var i = 0; i < count; i++)
        {
            switch (i % 6)
            {
                case 0:
                    var f = BitConverter.Int32BitsToSingle(random.Next(int.MinValue, int.MaxValue));
                    if (float.IsFinite(f))
                    {
                        yield return f.ToString("R", CultureInfo.InvariantCulture);
                        yield return f.ToString("E8", CultureInfo.InvariantCulture);
                    }

                    break;
                case 1:
                    var d = BitConverter.Int64BitsToDouble(random.NextInt64(long.MinValue, long.MaxValue));
                    if (double.IsFinite(d))
                    {
                        yield return d.ToString("R", CultureInfo.InvariantCulture);
                        yield return d.ToString("E16", CultureInfo.InvariantCulture);
                    }

                    break;
                case 2:
                    // Exactly halfway between two adjacent floats: ties must round to even.
                    var low = BitConverter.Int32BitsToSingle(random.Next(0, 0x7F000000));
                    var high = MathF.BitIncrement(low);
                    yield return (((double)low + high) / 2).ToString("R", CultureInfo.InvariantCulture);
                    break;
                case 3:
                    var digits = new StringBuilder();
                    if (random.Next(2) == 0)
                    {
                        digits.Append('-');
                    }

                    digits.Append(random.Next(1, 10));
                    var length = random.Next(1, 40);
                    for (var k = 0; k < length; k++)
                    {
                        digits.Append(random.Next(10));
                    }

                    digits.Append('e').Append(random.Next(-60, 40));
                    yield return digits.ToString();
                    break;
                case 4:
                    // Image-like values as clients write them: small decimals with a few digits.
                    yield return ((float)((random.NextDouble() * 4) - 2)).ToString("R", CultureInfo.InvariantCulture);
                    yield return Math.Round((random.NextDouble() * 255) - 128, random.Next(0, 7)).ToString(CultureInfo.InvariantCulture);
                    break;
                default:
                    var subnormal = BitConverter.Int32BitsToSingle(random.Next(1, 0x00800000));
                    yield return subnormal.ToString("R", CultureInfo.InvariantCulture);
                    yield return BitConverter.Int64BitsToDouble(random.NextInt64(1, 0x000FFFFFFFFFFFFF)).ToString("R", CultureInfo.InvariantCulture);
                    break;
            }
        }
    }
}
