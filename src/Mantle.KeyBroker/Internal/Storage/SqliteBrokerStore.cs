using System.Data.Common;
using Microsoft.Data.Sqlite;

namespace Mantle.KeyBroker.Internal.Storage;

/// <summary>SQLite in WAL mode; writers serialize with <c>BEGIN IMMEDIATE</c>, which takes the database write lock across processes.</summary>
internal sealed class SqliteBrokerStore : SqlBrokerStore
{
    private readonly string _connectionString;
    private int _walSet;

    public SqliteBrokerStore(string path, TimeProvider time)
        : base(time)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Pooling = true,
            DefaultTimeout = 30,
            Mode = SqliteOpenMode.ReadWriteCreate,
        }.ToString();
    }

    public override string Kind => "sqlite";

    protected override string BlobType => "BLOB";

    protected override async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        var pragmas = "PRAGMA busy_timeout = 30000; PRAGMA synchronous = FULL;";
        if (Interlocked.Exchange(ref _walSet, 1) == 0)
        {
            pragmas = "PRAGMA journal_mode = WAL; " + pragmas;
        }

        await ExecuteAsync(connection, null, pragmas, cancellationToken);
        return connection;
    }

    protected override Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken) =>
        // Microsoft.Data.Sqlite starts a non-deferred transaction with BEGIN IMMEDIATE.
        Task.FromResult<DbTransaction>(((SqliteConnection)connection).BeginTransaction(deferred: false));
}
