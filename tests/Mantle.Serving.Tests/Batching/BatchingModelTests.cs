using Mantle.Serving.Batching;
using Mantle.Serving.Batching.Internal;
using Mantle.Serving.Engine;
using Mantle.Serving.Metrics;
using Mantle.Serving.Onnx;
using Mantle.Serving.Tests.Models;
using Microsoft.ML.OnnxRuntime.Tensors;
using static Mantle.Serving.Tests.Engine.TensorHelpers;

namespace Mantle.Serving.Tests.Batching;

public sealed class BatchingModelTests
{
    private static BatchingModel Create(BatchingOptions options, ServingMetrics metrics, byte[]? model = null) =>
        new(OnnxModel.Load("mm", 1, model ?? TestModels.MatMulAdd()), options, metrics);

    [Fact]
    public async Task ConcurrentRequests_AreBatchedAndEachGetsItsOwnRows()
    {
        var metrics = new ServingMetrics();
        await using var model = Create(new BatchingOptions { MaxBatchSize = 16, BatchTimeout = TimeSpan.FromMilliseconds(20) }, metrics);
        const int requests = 24;

        var tasks = Enumerable.Range(0, requests).Select(async i =>
        {
            // Requests of one and two rows, every value distinct, so a mixed-up slice shows.
            var rows = 1 + (i % 2);
            var values = Enumerable.Range(0, rows * 3).Select(k => (float)((i * 10) + k)).ToArray();
            using var result = await model.InferAsync(new InferenceRequest([Floats("x", [rows, 3], values)]));
            Assert.Null(result.Error);
            var expected = Enumerable.Range(0, rows).SelectMany(r => TestModels.MatMulAddRow(values[r * 3], values[(r * 3) + 1], values[(r * 3) + 2])).ToArray();
            Assert.Equal([rows, 2L], result.Outputs[0].Shape);
            Assert.Equal(expected, ToFloats(result.Outputs[0]));
            Assert.Equal(values, ToFloats(result.Outputs[1]));
        }).ToArray();
        await Task.WhenAll(tasks);

        var text = await MetricsText(metrics);
        var count = Sample(text, "mantle_serving_batch_size_count{model=\"mm\"}");
        var sum = Sample(text, "mantle_serving_batch_size_sum{model=\"mm\"}");
        Assert.Equal(36, sum);
        Assert.True(count < requests, $"expected fewer batches than requests, got {count} batches for {requests} requests");
        Assert.Equal(requests, Sample(text, "mantle_serving_queue_duration_seconds_count{model=\"mm\",version=\"1\"}"));
    }

    [Fact]
    public async Task AllowedBatchSizes_PadTheBatch_AndPaddingIsDropped()
    {
        var options = new BatchingOptions { MaxBatchSize = 8, BatchTimeout = TimeSpan.Zero };
        options.AllowedBatchSizes.Add(4);
        options.AllowedBatchSizes.Add(8);
        await using var model = Create(options, new ServingMetrics());

        using var result = await model.InferAsync(new InferenceRequest([Floats("x", [1, 3], 1, 2, 3)]));

        Assert.Null(result.Error);
        Assert.Equal([1L, 2L], result.Outputs[0].Shape);
        Assert.Equal(TestModels.MatMulAddRow(1, 2, 3), ToFloats(result.Outputs[0]));
    }

    [Fact]
    public async Task InvalidRequest_FailsAtOnceWithoutQueueing()
    {
        await using var model = Create(new BatchingOptions { BatchTimeout = TimeSpan.FromSeconds(10) }, new ServingMetrics());

        using var result = await model.InferAsync(new InferenceRequest([Floats("x", [1, 4], 1, 2, 3, 4)])).AsTask().WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal(ServingErrorCode.InvalidArgument, result.Error?.Code);
    }

    [Fact]
    public async Task TooManyRowsForOneBatch_RunsAlone()
    {
        await using var model = Create(new BatchingOptions { MaxBatchSize = 2, BatchTimeout = TimeSpan.FromSeconds(10) }, new ServingMetrics());

        using var result = await model.InferAsync(new InferenceRequest([Floats("x", [3, 3], new float[9])])).AsTask().WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Null(result.Error);
        Assert.Equal(3, result.Outputs[0].Shape[0]);
    }

    [Fact]
    public async Task FixedFirstDimension_RunsEveryRequestAlone()
    {
        var metrics = new ServingMetrics();
        await using var model = Create(new BatchingOptions { BatchTimeout = TimeSpan.FromSeconds(10) }, metrics, TestModels.Tiny());

        using var result = await model.InferAsync(new InferenceRequest([Floats("x", [1], 5)])).AsTask().WaitAsync(TimeSpan.FromSeconds(5));

        Assert.Equal([5f], ToFloats(result.Outputs[0]));
        Assert.DoesNotContain("mantle_serving_batch_size_count{model=\"mm\"}", await MetricsText(metrics), StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueueFull_RefusesWithResourceExhausted()
    {
        var model = Create(new BatchingOptions { MaxBatchSize = 2, MaxEnqueuedBatches = 1, BatchTimeout = TimeSpan.FromSeconds(30) }, new ServingMetrics(), TestModels.Identity(TensorElementType.Float, -1, -1));

        // Different trailing shapes cannot share a batch: both wait for the timeout and fill the queue (2 rows).
        var first = model.InferAsync(new InferenceRequest([Floats("x", [1, 2], 1, 2)])).AsTask();
        var second = model.InferAsync(new InferenceRequest([Floats("x", [1, 3], 1, 2, 3)])).AsTask();
        using var refused = await model.InferAsync(new InferenceRequest([Floats("x", [1, 4], 1, 2, 3, 4)]));

        Assert.Equal(ServingErrorCode.ResourceExhausted, refused.Error?.Code);
        Assert.Contains("batch queue of model 'mm'", refused.Error!.Message, StringComparison.Ordinal);
        await model.DisposeAsync();
        (await first).Dispose();
        (await second).Dispose();
    }

    [Fact]
    public async Task Dispose_WithWaitingRequests_RunsThemThenRefusesNewOnes()
    {
        var model = Create(new BatchingOptions { MaxBatchSize = 64, BatchTimeout = TimeSpan.FromSeconds(30) }, new ServingMetrics());
        var pending = model.InferAsync(new InferenceRequest([Floats("x", [1, 3], 1, 2, 3)])).AsTask();
        await Task.Delay(50);

        await model.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        using var result = await pending.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Null(result.Error);
        Assert.Equal(TestModels.MatMulAddRow(1, 2, 3), ToFloats(result.Outputs[0]));
        using var late = await model.InferAsync(new InferenceRequest([Floats("x", [1, 3], 1, 2, 3)]));
        Assert.Equal(ServingErrorCode.Unavailable, late.Error?.Code);
    }

    private static async Task<string> MetricsText(ServingMetrics metrics)
    {
        using var stream = new MemoryStream();
        await metrics.WriteAsync(stream);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static double Sample(string text, string series)
    {
        var line = text.Split('\n').Single(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return double.Parse(line[(series.Length + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
