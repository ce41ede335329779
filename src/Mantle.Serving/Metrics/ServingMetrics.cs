using Mantle.Serving.Engine;
using Prometheus;

namespace Mantle.Serving.Metrics;

/// <summary>
/// The serving metrics, in Prometheus format: requests and their latency per model, version, API and
/// outcome, and batch sizes per model. Each instance has its own registry, so several servers in one
/// process keep separate counts. Thread-safe.
/// </summary>
public sealed class ServingMetrics
{
    private readonly CollectorRegistry _registry;
    private readonly Counter _requests;
    private readonly Histogram _latency;
    private readonly Histogram _batchSize;

    /// <summary>Creates the metrics with a fresh registry.</summary>
    public ServingMetrics()
    {
        _registry = Prometheus.Metrics.NewCustomRegistry();
        var factory = Prometheus.Metrics.WithCustomRegistry(_registry);
        string[] labels = ["model", "version", "api", "outcome"];
        _requests = factory.CreateCounter(
            "mantle_serving_requests_total",
            "Inference and metadata requests, by model, version, API and outcome (ok or the error code).",
            new CounterConfiguration { LabelNames = labels });
        _latency = factory.CreateHistogram(
            "mantle_serving_request_duration_seconds",
            "Time from request received to response ready, in seconds.",
            new HistogramConfiguration
            {
                LabelNames = labels,
                Buckets = Histogram.ExponentialBuckets(0.000_05, 2, 20),
            });
        _batchSize = factory.CreateHistogram(
            "mantle_serving_batch_size",
            "Requests run together in one model execution by the dynamic batcher.",
            new HistogramConfiguration
            {
                LabelNames = ["model"],
                Buckets = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
            });
    }

    /// <summary>The outcome label of a request: <c>ok</c>, or the error code in snake case (<c>invalid_argument</c>…).</summary>
    public static string Outcome(ServingErrorCode? error) => error switch
    {
        null => "ok",
        ServingErrorCode.InvalidArgument => "invalid_argument",
        ServingErrorCode.NotFound => "not_found",
        ServingErrorCode.Unavailable => "unavailable",
        ServingErrorCode.ResourceExhausted => "resource_exhausted",
        ServingErrorCode.FailedPrecondition => "failed_precondition",
        ServingErrorCode.Unimplemented => "unimplemented",
        _ => "internal",
    };

    /// <summary>Records one request.</summary>
    /// <param name="api">One of <see cref="ServingApiNames"/>.</param>
    /// <param name="model">The model name as requested (empty when the request named none).</param>
    /// <param name="version">The version that served it, or null when none did (not found, bad request).</param>
    /// <param name="error">The error code, or null on success.</param>
    /// <param name="elapsed">The time the request took.</param>
    public void RecordRequest(string api, string model, long? version, ServingErrorCode? error, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(api);
        ArgumentNullException.ThrowIfNull(model);
        var versionLabel = version?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty;
        var outcome = Outcome(error);
        _requests.WithLabels(model, versionLabel, api, outcome).Inc();
        _latency.WithLabels(model, versionLabel, api, outcome).Observe(elapsed.TotalSeconds);
    }

    /// <summary>Records the size of one batch the model ran.</summary>
    public void RecordBatch(string model, int size)
    {
        ArgumentNullException.ThrowIfNull(model);
        _batchSize.WithLabels(model).Observe(size);
    }

    /// <summary>The Prometheus text exposition content type.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Writes every metric in the Prometheus text format.</summary>
    public Task WriteAsync(Stream destination, CancellationToken cancellationToken = default) =>
        _registry.CollectAndExportAsTextAsync(destination, cancellationToken);
}
