using Mantle.Serving.Repository;

namespace Mantle.Serving.Tests.Models;

/// <summary>Reads plaintext ONNX folders but holds every read until released, so a test can observe the LOADING state.</summary>
internal sealed class GatedSource : IModelSource
{
    private readonly OnnxFileSource _files = new();

    public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool IsSealed => false;

    public bool CanRead(string versionDirectory) => _files.CanRead(versionDirectory);

    public async Task<byte[]> ReadAsync(string versionDirectory, CancellationToken cancellationToken = default)
    {
        Entered.TrySetResult();
        await Gate.Task.WaitAsync(cancellationToken);
        return await _files.ReadAsync(versionDirectory, cancellationToken);
    }
}
