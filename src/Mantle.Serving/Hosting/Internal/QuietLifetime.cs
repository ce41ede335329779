using Microsoft.Extensions.Hosting;

namespace Mantle.Serving.Hosting.Internal;

/// <summary>A host lifetime that neither hooks console signals nor logs: the owner of the server decides when it stops.</summary>
internal sealed class QuietLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
