namespace Mantle.Client.Load;

/// <summary>What a load run measured.</summary>
/// <param name="Requests">Measured requests sent (successful and failed).</param>
/// <param name="Errors">Measured requests that failed.</param>
/// <param name="Elapsed">Wall time of the measured phase.</param>
/// <param name="Throughput">Items per second over the measured phase (successful requests × batch ÷ elapsed).</param>
/// <param name="Latency">Latency of successful requests.</param>
/// <param name="FirstError">The first error's message, if any (never request data).</param>
internal sealed record LoadResult(long Requests, long Errors, TimeSpan Elapsed, double Throughput, LatencySummary Latency, string? FirstError);
