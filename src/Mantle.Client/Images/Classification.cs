namespace Mantle.Client.Images;

/// <summary>Turns a model's output vector into the top classes: softmax when the values are not probabilities yet, then the k best.</summary>
public static class Classification
{
    /// <summary>
    /// The <paramref name="k"/> highest scores, best first (ties by lower index). Scores that are not already
    /// probabilities (all in [0, 1], summing to 1 within 0.001) go through a softmax first.
    /// </summary>
    /// <param name="scores">The output vector (logits or probabilities).</param>
    /// <param name="k">How many classes to return; fewer when the vector is shorter.</param>
    /// <param name="labels">Class names by index (line <c>i</c> of a label file names class <c>i</c>), or null.</param>
    /// <param name="softmaxApplied">True when a softmax was applied.</param>
    public static IReadOnlyList<ClassScore> TopK(ReadOnlySpan<float> scores, int k, IReadOnlyList<string>? labels, out bool softmaxApplied)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        softmaxApplied = !IsProbabilities(scores);
        var probabilities = softmaxApplied ? Softmax(scores) : scores.ToArray();
        return Enumerable.Range(0, probabilities.Length)
            .OrderByDescending(i => probabilities[i])
            .ThenBy(i => i)
            .Take(k)
            .Select(i => new ClassScore(i, probabilities[i], labels is not null && i < labels.Count ? labels[i] : null))
            .ToList();
    }

    /// <summary>True when every value is in [0, 1] and they sum to 1 within 0.001.</summary>
    public static bool IsProbabilities(ReadOnlySpan<float> scores)
    {
        double sum = 0;
        foreach (var score in scores)
        {
            if (!(score >= 0 && score <= 1))
            {
                return false;
            }

            sum += score;
        }

        return Math.Abs(sum - 1) <= 1e-3;
    }

    /// <summary>exp(x − max) / Σ exp(x − max): the numerically stable softmax.</summary>
    public static float[] Softmax(ReadOnlySpan<float> scores)
    {
        var result = new float[scores.Length];
        if (scores.IsEmpty)
        {
            return result;
        }

        var max = float.NegativeInfinity;
        foreach (var score in scores)
        {
            max = Math.Max(max, score);
        }

        double sum = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var e = Math.Exp(scores[i] - max);
            result[i] = (float)e;
            sum += e;
        }

        for (var i = 0; i < result.Length; i++)
        {
            result[i] = (float)(result[i] / sum);
        }

        return result;
    }
}
