namespace Mantle.Client.Load;

/// <summary>Latency percentiles of successful requests, in milliseconds.</summary>
/// <param name="P50">Median.</param>
/// <param name="P90">90th percentile.</param>
/// <param name="P99">99th percentile.</param>
/// <param name="Mean">Arithmetic mean.</param>
/// <param name="Max">Slowest request.</param>
internal sealed record LatencySummary(double P50, double P90, double P99, double Mean, double Max)
{
    /// <summary>Summarizes latencies given in milliseconds (nearest-rank percentiles); all zero when empty.</summary>
    public static LatencySummary FromMilliseconds(IReadOnlyCollection<double> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0);
        }

        var sorted = samples.ToArray();
        Array.Sort(sorted);
        return new LatencySummary(
            Percentile(sorted, 50),
            Percentile(sorted, 90),
            Percentile(sorted, 99),
            sorted.Average(),
            sorted[^1]);
    }

    private static double Percentile(double[] sorted, int percent)
    {
        var rank = (int)Math.Ceiling(percent / 100.0 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
