using System.Data.Common;
using Mantle.KeyBroker.Internal.Crypto;
using Mantle.KeyBroker.Internal.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mantle.KeyBroker.Internal;

/// <summary>
/// Before the server accepts requests: loads the key material and the master key, so that a key that cannot be
/// loaded stops the start instead of failing every request, and migrates the schema. Then sweeps expired
/// sessions now and then.
/// </summary>
internal sealed class StoreInitializer(IBrokerStore store, IServiceProvider services, TimeProvider time, ILogger<StoreInitializer> logger)
    : IHostedService, IDisposable
{
    private ITimer? _sweep;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        services.GetRequiredService<BrokerKeys>();
        services.GetRequiredService<IMasterKeyProvider>();
        try
        {
            await store.MigrateAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is DbException or IOException or TimeoutException)
        {
            // The connection string may hold a password: name the kind of store, not the string.
            throw new InvalidOperationException($"The broker cannot open its {store.Kind} database: {ex.Message}", ex);
        }

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
