using Mantle.KeyBroker.Internal.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mantle.KeyBroker.Internal;

/// <summary>Migrates the schema before the server accepts requests, and sweeps expired sessions now and then.</summary>
internal sealed class StoreInitializer(IBrokerStore store, TimeProvider time, ILogger<StoreInitializer> logger) : IHostedService, IDisposable
{
    private ITimer? _sweep;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.MigrateAsync(cancellationToken);
        BrokerLog.StorageReady(logger, store.Kind);
        _sweep = time.CreateTimer(_ => _ = SweepAsync(), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _sweep?.Dispose();

    private async Task SweepAsync()
    {
        try
        {
            await store.DeleteExpiredSessionsAsync(time.GetUtcNow().ToUnixTimeMilliseconds(), CancellationToken.None);
        }
        catch (Exception)
        {
            // A failed sweep is retried on the next tick; stale sessions are refused by their expiry anyway.
        }
    }
}
