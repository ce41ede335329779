namespace Mantle.Serving.Batching;

/// <summary>
/// Dynamic batching per model, with TF Serving's <c>--batching_parameters_file</c> names. Requests to
/// the same model version whose inputs agree in every dimension but the first are concatenated along
/// dimension 0, run once and sliced back per request.
/// </summary>
public sealed class BatchingOptions
{
    /// <summary>The most requests' rows in one batch (<c>max_batch_size</c>). Defaults to 32.</summary>
    public int MaxBatchSize { get; set; } = 32;

    /// <summary>How long the first request of a batch waits for others (<c>batch_timeout_micros</c>). Defaults to 1 ms.</summary>
    public TimeSpan BatchTimeout { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>
    /// Batch sizes to pad to (<c>allowed_batch_sizes</c>); when set, the last must equal
    /// <see cref="MaxBatchSize"/>. Empty: batches run at their natural size. Defaults to empty.
    /// </summary>
    public IList<int> AllowedBatchSizes { get; } = [];

    /// <summary>Batches that may wait before requests are refused with ResourceExhausted (<c>max_enqueued_batches</c>). Defaults to 100.</summary>
    public int MaxEnqueuedBatches { get; set; } = 100;

    /// <summary>Concurrent executions of batches per model version (<c>num_batch_threads</c>). Defaults to 1.</summary>
    public int BatchThreads { get; set; } = 1;

    /// <summary>Checks the values; returns one message per problem, naming the parameter.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (MaxBatchSize < 1)
        {
            problems.Add($"max_batch_size must be at least 1, not {MaxBatchSize}.");
        }

        if (BatchTimeout < TimeSpan.Zero)
        {
            problems.Add("batch_timeout_micros must not be negative.");
        }

        if (MaxEnqueuedBatches < 1)
        {
            problems.Add($"max_enqueued_batches must be at least 1, not {MaxEnqueuedBatches}.");
        }

        if (BatchThreads < 1)
        {
            problems.Add($"num_batch_threads must be at least 1, not {BatchThreads}.");
        }

        if (AllowedBatchSizes.Count > 0)
        {
            for (var i = 0; i < AllowedBatchSizes.Count; i++)
            {
                if (AllowedBatchSizes[i] < 1 || (i > 0 && AllowedBatchSizes[i] <= AllowedBatchSizes[i - 1]))
                {
                    problems.Add("allowed_batch_sizes must be positive and strictly increasing.");
                    break;
                }
            }

            if (AllowedBatchSizes[^1] != MaxBatchSize)
            {
                problems.Add($"the last of allowed_batch_sizes ({AllowedBatchSizes[^1]}) must equal max_batch_size ({MaxBatchSize}).");
            }
        }

        return problems;
    }
}
