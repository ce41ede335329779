using Mantle.Client.Load;

namespace Mantle.Client.Tests;

// Measures wall-clock time: runs alone, not next to the TLS tests that keep both cores busy.
[Collection(nameof(TimingCollection))]
public class LoadRunnerTests
{
    [Fact]
    public async Task RunAsync_CountsMeasuredRequestsAndErrors()
    {
        var calls = 0;
        var result = await LoadRunner.RunAsync(
            (worker, _) =>
            {
                var n = Interlocked.Increment(ref calls);
                return n % 10 == 0 ? Task.FromException(new InvalidOperationException("boom")) : Task.CompletedTask;
            },
            new LoadOptions { Concurrency = 3, Loop = 20, Warmup = 2, ItemsPerRequest = 4 });

        // The six warm-up calls (3 workers x 2) finish before the measured phase starts, so calls 7 to 66 are measured
        // and exactly the six of them that are multiples of ten fail: 10, 20, ..., 60.
        Assert.Equal(3 * (20 + 2), calls);
        Assert.Equal(60, result.Requests);
        Assert.Equal(6, result.Errors);
        Assert.Equal("boom", result.FirstError);

        // Throughput counts the items of the 54 requests that succeeded.
        Assert.True(result.Elapsed > TimeSpan.Zero);
        Assert.Equal(54 * 4.0 / result.Elapsed.TotalSeconds, result.Throughput);
    }

    [Fact]
    public async Task RunAsync_EndlessLoopBoundedByTime_ReservesOnlyWhatItRecords()
    {
        // A warm-up "for 3 s" asks for an effectively endless loop; reserving a latency slot per asked-for request
        // would take gigabytes before the first request.
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var result = await LoadRunner.RunAsync(
            (_, ct) => Task.Delay(5, ct),
            new LoadOptions { Concurrency = 1, Loop = int.MaxValue / 2, MaxDuration = TimeSpan.FromMilliseconds(100) });
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.InRange(result.Requests, 1, 100);
        Assert.True(allocated < 64L * 1024 * 1024, $"{allocated} bytes allocated");
    }

    [Fact]
    public async Task RunAsync_MaxDuration_StopsEarly()
    {
        var result = await LoadRunner.RunAsync(
            (_, ct) => Task.Delay(20, ct),
            new LoadOptions { Concurrency = 2, Loop = 10_000, MaxDuration = TimeSpan.FromMilliseconds(200) });

        Assert.InRange(result.Requests, 2, 100);
        Assert.True(result.Latency.P50 >= 15, $"p50 {result.Latency.P50} ms");
    }

    [Fact]
    public void LatencySummary_NearestRankPercentiles()
    {
        var samples = Enumerable.Range(1, 100).Select(i => (double)i).ToArray();

        var summary = LatencySummary.FromMilliseconds(samples);

        Assert.Equal(50, summary.P50);
        Assert.Equal(90, summary.P90);
        Assert.Equal(99, summary.P99);
        Assert.Equal(50.5, summary.Mean);
        Assert.Equal(100, summary.Max);
    }

    [Fact]
    public void LoadOptions_Invalid_NamesTheValue()
    {
        var error = Assert.Throws<ArgumentException>(() => new LoadOptions { Concurrency = 0 }.Validate());
        Assert.Contains("Concurrency", error.Message, StringComparison.Ordinal);
    }
}
