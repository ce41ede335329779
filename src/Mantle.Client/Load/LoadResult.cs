namespace Mantle.Client.Load;

/// <summary>What a load run measured.</summary>
/// <param name="Requests">Measured requests sent (successful and failed).</param>
/// <param name="Errors">Measured requests that failed.</param>
/// <param name="Elapsed">Wall time of the measured phase.</param>
/// <param name="Throughput">Items per second over the measured phase (successful requests × batch ÷ elapsed).</param>
/// <param name="Latency">Latency of successful requests.</param>
/// <param name="FirstError">The first error's message, if any (never request data).</param>
internal sealed record LoadResult(long Requests, long Errors, TimeSpan Elapsed, double Throughput, LatencySummary Latency, string? FirstError)
{
    /// <summary>
    /// CPU time (user and system) that this whole process used during the measured phase: the load generator's own
    /// cost, or, for a load run on a model in this process, the model's cost too. Zero when it was not measured.
    /// </summary>
    public TimeSpan ProcessCpuTime { get; init; }

    /// <summary>When the measured phase started (after the warm-up).</summary>
    public DateTimeOffset MeasuredFrom { get; init; }

    /// <summary>When the measured phase ended.</summary>
    public DateTimeOffset MeasuredTo { get; init; }

    /// <summary><see cref="ProcessCpuTime"/> per measured request, in milliseconds (0 without requests).</summary>
    public double CpuMillisecondsPerRequest => Requests > 0 ? ProcessCpuTime.TotalMilliseconds / Requests : 0;
}
