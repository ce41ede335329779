using System.Diagnostics;

namespace Mantle.Client.Load;

/// <summary>
/// Runs a closed-loop load: <see cref="LoadOptions.Concurrency"/> workers each send
/// <see cref="LoadOptions.Warmup"/> unmeasured and then <see cref="LoadOptions.Loop"/> measured requests,
/// one after another, and the latency of each measured request is recorded.
/// </summary>
internal static class LoadRunner
{
    /// <summary>Runs the load. <paramref name="send"/> performs one request and throws on failure.</summary>
    /// <param name="send">Sends one request; gets the worker index.</param>
    /// <param name="options">The shape of the run.</param>
    /// <param name="progress">Receives the number of measured requests completed so far.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    public static async Task<LoadResult> RunAsync(
        Func<int, CancellationToken, Task> send,
        LoadOptions options,
        IProgress<long>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(send);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();

        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(async worker =>
        {
            for (var i = 0; i < options.Warmup; i++)
            {
                try
                {
                    await send(worker, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception) when (!cancellationToken.IsCancellationRequested)
                {
                    // Warm-up failures show again in the measured phase, where they are counted.
                }
            }
        })).ConfigureAwait(false);

        var latencies = new List<double>[options.Concurrency];
        var errors = new long[options.Concurrency];
        string? firstError = null;
        long completed = 0;
        var deadline = options.MaxDuration is { } max ? Stopwatch.GetTimestamp() + (long)(max.TotalSeconds * Stopwatch.Frequency) : long.MaxValue;
        using var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var measuredFrom = DateTimeOffset.UtcNow;
        var start = Stopwatch.GetTimestamp();

        await Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(worker => Task.Run(async () =>
        {
            // A time-bounded run may ask for an effectively endless loop: reserve for what a run can record, not for that.
            var samples = latencies[worker] = new List<double>(Math.Min(options.Loop, 1 << 16));
            for (var i = 0; i < options.Loop && Stopwatch.GetTimestamp() < deadline; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var before = Stopwatch.GetTimestamp();
                try
                {
                    await send(worker, cancellationToken).ConfigureAwait(false);
                    samples.Add(Stopwatch.GetElapsedTime(before).TotalMilliseconds);
                }
                catch (Exception error) when (!cancellationToken.IsCancellationRequested)
                {
                    errors[worker]++;
                    Interlocked.CompareExchange(ref firstError, error.Message, null);
                }

                progress?.Report(Interlocked.Increment(ref completed));
            }
        }, cancellationToken))).ConfigureAwait(false);

        var elapsed = Stopwatch.GetElapsedTime(start);
        var measuredTo = DateTimeOffset.UtcNow;
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        var all = latencies.SelectMany(l => l).ToList();
        var errorCount = errors.Sum();
        var throughput = elapsed.TotalSeconds > 0 ? all.Count * (double)options.ItemsPerRequest / elapsed.TotalSeconds : 0;
        return new LoadResult(all.Count + errorCount, errorCount, elapsed, throughput, LatencySummary.FromMilliseconds(all), firstError)
        {
            ProcessCpuTime = cpu,
            MeasuredFrom = measuredFrom,
            MeasuredTo = measuredTo,
        };
    }
}
