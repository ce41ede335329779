using System.Runtime.ExceptionServices;

namespace Mantle.Sealing.Internal;

/// <summary>
/// Runs the stages of a pipeline as tasks that share one cancellation: the first stage to fail cancels the others, and
/// <see cref="WhenAllAsync"/> throws that first failure (not the cancellations it caused).
/// </summary>
internal sealed class PipelineStages : IDisposable
{
    private readonly CancellationTokenSource _cancellation;
    private readonly List<Task> _tasks = [];
    private Exception? _first;

    public PipelineStages(CancellationToken cancellationToken) =>
        _cancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

    public CancellationToken Token => _cancellation.Token;

    /// <summary>Starts a stage on the thread pool (each stage of a pipeline gets its own core when there is one).</summary>
    public void Start(Func<CancellationToken, Task> stage) => _tasks.Add(Task.Run(() => Guard(stage)));

    /// <summary>Runs the producing stage on the caller's context; it counts as a stage for failures.</summary>
    public Task RunAsync(Func<CancellationToken, Task> stage) => Guard(stage);

    public async Task WhenAllAsync(Task producer)
    {
        await Task.WhenAll(_tasks.Append(producer)).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
        if (_first is not null)
        {
            ExceptionDispatchInfo.Throw(_first);
        }

        _cancellation.Token.ThrowIfCancellationRequested();
    }

    public void Dispose() => _cancellation.Dispose();

    private async Task Guard(Func<CancellationToken, Task> stage)
    {
        try
        {
            await stage(_cancellation.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            if (ex is not OperationCanceledException || !_cancellation.IsCancellationRequested)
            {
                Interlocked.CompareExchange(ref _first, ex, null);
            }

            await _cancellation.CancelAsync().ConfigureAwait(false);
            throw;
        }
    }
}
