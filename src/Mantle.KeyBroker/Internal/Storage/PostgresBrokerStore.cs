using System.Data;
using System.Data.Common;
using Npgsql;

namespace Mantle.KeyBroker.Internal.Storage;

/// <summary>PostgreSQL; writers serialize on a transaction-scoped advisory lock, so several broker processes keep one linear audit chain.</summary>
internal sealed class PostgresBrokerStore : SqlBrokerStore, IAsyncDisposable
{
    /// <summary>The advisory lock key that every writing transaction takes ("MNTLKB" in ASCII).</summary>
    private const long WriterLockKey = 0x4D4E544C4B42;
    private readonly NpgsqlDataSource _dataSource;

    public PostgresBrokerStore(string connectionString, TimeProvider time)
        : base(time) => _dataSource = NpgsqlDataSource.Create(connectionString);

    public override string Kind => "postgres";

    protected override string BlobType => "BYTEA";

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken);

    protected override async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        var tx = await ((NpgsqlConnection)connection).BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        await ExecuteAsync(connection, tx, "SELECT pg_advisory_xact_lock(@k)", cancellationToken, ("k", WriterLockKey));
        return tx;
    }

    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();
}
