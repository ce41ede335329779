namespace Mantle.Client.Load;

/// <summary>The shape of a load run, like the reference TF Serving client's <c>-cnum</c>, <c>-loop</c> and <c>-batch</c>.</summary>
internal sealed class LoadOptions
{
    /// <summary>Concurrent workers, each sending requests one after another. Defaults to 1.</summary>
    public int Concurrency { get; init; } = 1;

    /// <summary>Measured requests per worker. Defaults to 100.</summary>
    public int Loop { get; init; } = 100;

    /// <summary>Unmeasured requests per worker before the measured ones. Defaults to 0.</summary>
    public int Warmup { get; init; }

    /// <summary>Items (batch size) per request, for throughput in items per second. Defaults to 1.</summary>
    public int ItemsPerRequest { get; init; } = 1;

    /// <summary>A bound on the measured phase; workers stop early when it has passed. Defaults to none.</summary>
    public TimeSpan? MaxDuration { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first value out of range.</summary>
    public void Validate()
    {
        if (Concurrency < 1)
        {
            throw new ArgumentException($"Concurrency must be at least 1, got {Concurrency}.");
        }

        if (Loop < 1)
        {
            throw new ArgumentException($"Loop must be at least 1, got {Loop}.");
        }

        if (Warmup < 0)
        {
            throw new ArgumentException($"Warmup must not be negative, got {Warmup}.");
        }

        if (ItemsPerRequest < 1)
        {
            throw new ArgumentException($"Batch must be at least 1, got {ItemsPerRequest}.");
        }
    }
}
