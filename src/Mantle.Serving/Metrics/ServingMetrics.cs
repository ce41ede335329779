using Mantle.Serving.Engine;
using Mantle.Serving.Metrics.Internal;
using Prometheus;

namespace Mantle.Serving.Metrics;

/// <summary>
/// The serving metrics, in Prometheus format: requests and their latency per model, version, API and
/// outcome; per model version the time requests wait in the batch queue and the time ONNX Runtime computes;
/// batch sizes per model; and the process's and the .NET runtime's own series (CPU, memory, GC, thread pool),
/// read when the metrics are collected. Each instance has its own registry, so several servers in one
/// process keep separate counts. Thread-safe.
/// </summary>
public sealed class ServingMetrics
{
    private readonly CollectorRegistry _registry;
    private readonly Counter _requests;
    private readonly Histogram _latency;
    private readonly Histogram _batchSize;
    private readonly Histogram _queue;
    private readonly Histogram _compute;

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
        _queue = factory.CreateHistogram(
            "mantle_serving_queue_duration_seconds",
            "Time a request waited in the dynamic batcher's queue until its batch started to run, in seconds (models served with batching).",
            new HistogramConfiguration { LabelNames = ["model", "version"], Buckets = Histogram.ExponentialBuckets(0.000_01, 2, 22) });
        _compute = factory.CreateHistogram(
            "mantle_serving_compute_duration_seconds",
            "Time ONNX Runtime took to run the model, per run (a batch is one run), in seconds.",
            new HistogramConfiguration { LabelNames = ["model", "version"], Buckets = Histogram.ExponentialBuckets(0.000_01, 2, 22) });
        ProcessMetrics.Register(factory, _registry);
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

    /// <summary>Records how long one request waited in a batch queue before its batch ran.</summary>
    public void RecordQueue(string model, long version, TimeSpan waited)
    {
        ArgumentNullException.ThrowIfNull(model);
        _queue.WithLabels(model, version.ToString(System.Globalization.CultureInfo.InvariantCulture)).Observe(waited.TotalSeconds);
    }

    /// <summary>Records how long one run of a model in ONNX Runtime took.</summary>
    public void RecordCompute(string model, long version, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(model);
        _compute.WithLabels(model, version.ToString(System.Globalization.CultureInfo.InvariantCulture)).Observe(elapsed.TotalSeconds);
    }

    /// <summary>The Prometheus text exposition content type.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Writes every metric in the Prometheus text format.</summary>
    public Task WriteAsync(Stream destination, CancellationToken cancellationToken = default) =>
        _registry.CollectAndExportAsTextAsync(destination, cancellationToken);
}
