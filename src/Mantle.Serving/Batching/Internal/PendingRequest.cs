using Mantle.Serving.Engine;

namespace Mantle.Serving.Batching.Internal;

/// <summary>A request waiting in a batch queue.</summary>
internal sealed class PendingRequest(InferenceRequest request, int rows, string key, long enqueuedTimestamp)
{
    public InferenceRequest Request { get; } = request;

    /// <summary>The size of dimension 0, shared by every input.</summary>
    public int Rows { get; } = rows;

    /// <summary>Requests with equal keys (same inputs, trailing dimensions and outputs) can share a batch.</summary>
    public string Key { get; } = key;

    public long EnqueuedTimestamp { get; } = enqueuedTimestamp;

    public TaskCompletionSource<InferenceResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public CancellationTokenRegistration Cancellation { get; set; }
}
