using Mantle.Client.Images;

namespace Mantle.Client.Tests.Images;

public sealed class ClassificationTests
{
    [Fact]
    public void TopK_Logits_AppliesSoftmaxAndRanks()
    {
        var classes = Classification.TopK([1f, 3f, 2f], 2, null, out var softmaxApplied);

        Assert.True(softmaxApplied);
        Assert.Equal([1, 2], classes.Select(c => c.Index));
        var sum = Math.Exp(1) + Math.Exp(3) + Math.Exp(2);
        Assert.Equal(Math.Exp(3) / sum, classes[0].Score, 1e-6);
        Assert.Equal(Math.Exp(2) / sum, classes[1].Score, 1e-6);
        Assert.Null(classes[0].Label);
    }

    [Fact]
    public void TopK_Probabilities_KeepsScores()
    {
        var classes = Classification.TopK([0.1f, 0.7f, 0.2f], 5, ["cat", "dog", "fox"], out var softmaxApplied);

        Assert.False(softmaxApplied);
        Assert.Equal([("dog", 0.7f), ("fox", 0.2f), ("cat", 0.1f)], classes.Select(c => (c.Label, c.Score)));
    }

    [Fact]
    public void Softmax_LargeLogits_StaysFinite()
    {
        var probabilities = Classification.Softmax([1000f, 1000f]);

        Assert.Equal([0.5f, 0.5f], probabilities);
    }

    [Theory]
    [InlineData(new float[] { 0.5f, 0.5f }, true)]
    [InlineData(new float[] { 0.5f, 0.4f }, false)]
    [InlineData(new float[] { 1.5f, -0.5f }, false)]
    public void IsProbabilities_ChecksRangeAndSum(float[] scores, bool expected)
    {
        Assert.Equal(expected, Classification.IsProbabilities(scores));
    }
}
