using System.Buffers;
using System.Text;
using Mantle.Serving.TfServing.Internal.Rest;

namespace Mantle.Serving.Tests.TfServing.Internal;

public sealed class JsonNonFiniteTests
{
    [Theory]
    [InlineData("""{"instances": [[1.0, 2e5, -3]]}""")]
    [InlineData("""{"inputs": ["NaN", "Infinity", "-Infinity"]}""")]
    [InlineData("""{"inputs": ["a \" NaN \\", "Infinity"]}""")]
    public void Rewrite_NoBareTokens_ReturnsNull(string json)
    {
        Assert.Null(JsonNonFinite.Rewrite(Encoding.UTF8.GetBytes(json), out _));
    }

    [Fact]
    public void Rewrite_BareTokens_QuotesOnlyThoseOutsideStrings()
    {
        var json = Encoding.UTF8.GetBytes("""{"inputs": [NaN, -Infinity, Infinity, "NaN \" Infinity", -1]}""");

        var rewritten = JsonNonFinite.Rewrite(json, out var length);

        Assert.NotNull(rewritten);
        Assert.Equal("""{"inputs": ["NaN", "-Infinity", "Infinity", "NaN \" Infinity", -1]}""", Encoding.UTF8.GetString(rewritten, 0, length));
        ArrayPool<byte>.Shared.Return(rewritten);
    }
}
