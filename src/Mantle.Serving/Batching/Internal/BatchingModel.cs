using System.Buffers;
using System.Diagnostics;
using System.Threading.Channels;
using Mantle.Serving.Engine;
using Mantle.Serving.Metrics;
using Mantle.Serving.Onnx;

namespace Mantle.Serving.Batching.Internal;

/// <summary>
/// Runs requests to one model version in dynamic batches: requests whose inputs agree beyond
/// dimension 0 wait up to the batch timeout for others, are concatenated, run once and sliced back.
/// Requests that cannot be batched (the model's dimension 0 is fixed, string inputs, too many rows)
/// run alone at once.
/// </summary>
internal sealed class BatchingModel : IServableModel, IAsyncDisposable
{
    private readonly OnnxModel _inner;
    private readonly BatchingOptions _options;
    private readonly ServingMetrics? _metrics;
    private readonly bool _batchable;
    private readonly int[] _allowedSizes;
    private readonly Channel<PendingRequest> _queue = Channel.CreateUnbounded<PendingRequest>(new UnboundedChannelOptions { SingleReader = true });
    private readonly List<PendingRequest> _waiting = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _executors;
    private readonly Task _scheduler;
    private readonly long _maxQueuedRows;
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);
    private long _queuedRows;
    private volatile bool _draining;

    public BatchingModel(OnnxModel inner, BatchingOptions options, ServingMetrics? metrics)
    {
        _inner = inner;
        _options = options;
        _metrics = metrics;
        _allowedSizes = [.. options.AllowedBatchSizes];
        _maxQueuedRows = (long)options.MaxEnqueuedBatches * options.MaxBatchSize;
        _executors = new SemaphoreSlim(options.BatchThreads, options.BatchThreads);

        // Batching needs dimension 0 to be free on every input and output.
        _batchable = inner.Signature.Inputs.Count > 0
            && inner.Signature.Inputs.All(s => s.Shape.Count > 0 && s.Shape[0] < 0)
            && inner.Signature.Outputs.All(s => s.Shape.Count > 0 && s.Shape[0] < 0);
        _scheduler = _batchable ? Task.Run(ScheduleAsync) : Task.CompletedTask;
    }

    public string Name => _inner.Name;

    public long Version => _inner.Version;

    public ModelSignature Signature => _inner.Signature;

    public string Platform => _inner.Platform;

    public ValueTask<InferenceResult> InferAsync(InferenceRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!_batchable)
        {
            return _inner.InferAsync(request, cancellationToken);
        }

        var error = _inner.Validate(request);
        if (error is not null)
        {
            return ValueTask.FromResult(InferenceResult.Failure(error));
        }

        var key = BatchAssembler.Key(request, _options.MaxBatchSize, out var rows);
        if (key is null)
        {
            return _inner.InferAsync(request, cancellationToken);
        }

        if (Interlocked.Add(ref _queuedRows, rows) > _maxQueuedRows)
        {
            Interlocked.Add(ref _queuedRows, -rows);
            return ValueTask.FromResult(InferenceResult.Failure(ServingErrorCode.ResourceExhausted, $"The batch queue of model '{Name}' version {Version} is full ({_options.MaxEnqueuedBatches} batches of {_options.MaxBatchSize}); retry later."));
        }

        var pending = new PendingRequest(request, rows, key, Stopwatch.GetTimestamp());
        if (cancellationToken.CanBeCanceled)
        {
            pending.Cancellation = cancellationToken.Register(static p => ((PendingRequest)p!).Completion.TrySetCanceled(), pending);
        }

        if (!_queue.Writer.TryWrite(pending))
        {
            Interlocked.Add(ref _queuedRows, -rows);
            return ValueTask.FromResult(InferenceResult.Failure(ServingErrorCode.Unavailable, $"Model '{Name}' version {Version} is being unloaded; retry to reach the current version."));
        }

        return new ValueTask<InferenceResult>(pending.Completion.Task);
    }

    public async ValueTask DisposeAsync()
    {
        // Requests already queued still run (a version switch must not fail them); new ones are refused.
        _draining = true;
        _queue.Writer.TryComplete();
        try
        {
            await _scheduler.WaitAsync(DrainTimeout);
        }
        catch (TimeoutException)
        {
        }

        await _stop.CancelAsync();
        try
        {
            await _scheduler;
        }
        catch (OperationCanceledException)
        {
        }

        // Let running batches finish before the session goes.
        for (var i = 0; i < _options.BatchThreads; i++)
        {
            await _executors.WaitAsync();
        }

        while (_queue.Reader.TryRead(out var pending))
        {
            _waiting.Add(pending);
        }

        foreach (var pending in _waiting)
        {
            pending.Completion.TrySetResult(InferenceResult.Failure(ServingErrorCode.Unavailable, $"Model '{Name}' version {Version} was unloaded before the request ran; retry."));
            await pending.Cancellation.DisposeAsync();
        }

        _waiting.Clear();
        _inner.Dispose();
        _stop.Dispose();
        _executors.Dispose();
    }

    private async Task ScheduleAsync()
    {
        var reader = _queue.Reader;
        var timeoutTicks = (long)(_options.BatchTimeout.TotalSeconds * Stopwatch.Frequency);
        while (!_stop.IsCancellationRequested)
        {
            if (_waiting.Count == 0 && !await reader.WaitToReadAsync(_stop.Token))
            {
                return;
            }

            while (reader.TryRead(out var item))
            {
                _waiting.Add(item);
            }

            _waiting.RemoveAll(p =>
            {
                if (!p.Completion.Task.IsCompleted)
                {
                    return false;
                }

                Interlocked.Add(ref _queuedRows, -p.Rows);
                return true;
            });
            if (_waiting.Count == 0)
            {
                continue;
            }

            var batch = Collect(out var rows, out var full);
            var waitTicks = _waiting[0].EnqueuedTimestamp + timeoutTicks - Stopwatch.GetTimestamp();
            if (!full && waitTicks > 0 && !_draining)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                wait.CancelAfter(TimeSpan.FromSeconds((double)waitTicks / Stopwatch.Frequency));
                try
                {
                    await reader.WaitToReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
                {
                }

                continue;
            }

            foreach (var pending in batch)
            {
                _waiting.Remove(pending);
            }

            try
            {
                await _executors.WaitAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                // Stopping: the batch goes back so that DisposeAsync answers it.
                _waiting.InsertRange(0, batch);
                return;
            }

            Interlocked.Add(ref _queuedRows, -rows);
            if (_options.BatchThreads == 1)
            {
                Execute(batch, rows);
            }
            else
            {
                _ = Task.Run(() => Execute(batch, rows));
            }
        }
    }

    /// <summary>The oldest request and the later ones with its key, up to the batch size.</summary>
    private List<PendingRequest> Collect(out int rows, out bool full)
    {
        var first = _waiting[0];
        var batch = new List<PendingRequest> { first };
        rows = first.Rows;
        full = rows >= _options.MaxBatchSize;
        for (var i = 1; i < _waiting.Count && !full; i++)
        {
            var candidate = _waiting[i];
            if (candidate.Key != first.Key)
            {
                continue;
            }

            if (rows + candidate.Rows > _options.MaxBatchSize)
            {
                full = true;
                break;
            }

            batch.Add(candidate);
            rows += candidate.Rows;
            full = rows >= _options.MaxBatchSize;
        }

        return batch;
    }

    private void Execute(List<PendingRequest> batch, int rows)
    {
        var rented = new List<byte[]>();
        try
        {
            _metrics?.RecordBatch(Name, rows);
            if (_metrics is not null)
            {
                var now = Stopwatch.GetTimestamp();
                foreach (var pending in batch)
                {
                    _metrics.RecordQueue(Name, Version, Stopwatch.GetElapsedTime(pending.EnqueuedTimestamp, now));
                }
            }

            var padded = PaddedSize(rows);
            if (batch.Count == 1 && padded == rows)
            {
                Complete(batch[0], _inner.Infer(batch[0].Request));
                return;
            }

            var request = BatchAssembler.Concatenate(batch, padded, rented);
            var result = _inner.Infer(request);
            if (result.Error is not null)
            {
                foreach (var pending in batch)
                {
                    Complete(pending, InferenceResult.Failure(result.Error));
                }

                return;
            }

            var results = BatchAssembler.Slice(batch, padded, result, Name);
            for (var i = 0; i < batch.Count; i++)
            {
                Complete(batch[i], results[i]);
            }
        }
        catch (Exception ex)
        {
            foreach (var pending in batch)
            {
                Complete(pending, InferenceResult.Failure(ServingErrorCode.Internal, $"Batch execution of model '{Name}' failed: {ex.Message}"));
            }
        }
        finally
        {
            foreach (var buffer in rented)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            _executors.Release();
        }
    }

    private static void Complete(PendingRequest pending, InferenceResult result)
    {
        pending.Cancellation.Dispose();
        if (!pending.Completion.TrySetResult(result))
        {
            result.Dispose();
        }
    }

    private int PaddedSize(int rows)
    {
        foreach (var size in _allowedSizes)
        {
            if (size >= rows)
            {
                return size;
            }
        }

        return rows;
    }
}
