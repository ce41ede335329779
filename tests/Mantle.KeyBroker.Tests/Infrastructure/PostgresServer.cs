using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Mantle.KeyBroker.Tests.Infrastructure;

/// <summary>
/// A real PostgreSQL server for the tests: <c>initdb</c> into a temporary folder and <c>pg_ctl start</c> on a free
/// loopback port; as root, both run as the <c>postgres</c> user through <c>runuser</c>. Stopped on dispose.
/// Fails (never skips) when PostgreSQL is not installed.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private readonly string _bin;
    private readonly string _dataDir;
    private readonly bool _asPostgresUser;
    private int _databases;

    public PostgresServer()
    {
        _bin = FindBinaries();
        _asPostgresUser = Environment.UserName == "root";
        _dataDir = Path.Combine(Path.GetTempPath(), "mantle-pg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_dataDir);
        if (_asPostgresUser)
        {
            Run("chown", ["postgres:postgres", _dataDir], asPostgres: false);
        }

        Port = FreePort();
        var data = Path.Combine(_dataDir, "data");
        Run(Path.Combine(_bin, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"], _asPostgresUser);
        Run(Path.Combine(_bin, "pg_ctl"), ["-D", data, "-l", Path.Combine(_dataDir, "server.log"), "-w", "-t", "60", "-o",
            $"-c listen_addresses=127.0.0.1 -p {Port} -c unix_socket_directories={_dataDir} -c max_connections=200", "start"], _asPostgresUser);
    }

    public int Port { get; }

    public string AdminConnectionString => $"Host=127.0.0.1;Port={Port};Username=postgres;Database=postgres;Pooling=false";

    /// <summary>Creates a fresh database and returns the broker's <c>postgres:</c> location for it.</summary>
    public string CreateDatabase()
    {
        var name = $"broker_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..40];
        using var connection = new NpgsqlConnection(AdminConnectionString);
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = $"CREATE DATABASE {name}";
        cmd.ExecuteNonQuery();
        return $"postgres:Host=127.0.0.1;Port={Port};Username=postgres;Database={name};Maximum Pool Size=20";
    }

    public void Dispose()
    {
        try
        {
            Run(Path.Combine(_bin, "pg_ctl"), ["-D", Path.Combine(_dataDir, "data"), "-m", "immediate", "-w", "stop"], _asPostgresUser);
        }
        finally
        {
            try
            {
                Directory.Delete(_dataDir, true);
            }
            catch (IOException)
            {
            }
        }
    }

    private static string FindBinaries()
    {
        var root = "/usr/lib/postgresql";
        var bin = Directory.Exists(root)
            ? Directory.GetDirectories(root).Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderDescending().FirstOrDefault()
            : null;
        return bin ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin; run scripts/install-deps.sh to install the Debian 'postgresql' package.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Run(string file, string[] args, bool asPostgres)
    {
        string[] command = asPostgres ? ["-u", "postgres", "--", file, .. args] : args;
        var options = new ChildProcessOptions { Timeout = TimeSpan.FromSeconds(90), Name = Path.GetFileName(file) };

        // Task.Run: the fixture's constructor and Dispose are synchronous; the wait must not need the test's context.
        var result = Task.Run(() => ChildProcess.RunAsync(asPostgres ? "runuser" : file, command, options)).GetAwaiter().GetResult();
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({result.ExitCode}): {result.Stderr} {result.Stdout}");
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
