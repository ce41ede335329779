namespace Mantle.KeyBroker.Internal.Storage;

internal static class StoreFactory
{
    /// <summary>
    /// Parses <c>sqlite:PATH</c> or <c>postgres:CONNSTRING</c>; returns an error message naming the option when it is
    /// neither, or when a SQLite file cannot be created where it is asked for.
    /// </summary>
    public static string? Validate(string? database)
    {
        if (string.IsNullOrWhiteSpace(database))
        {
            return null;
        }

        if (database.StartsWith("sqlite:", StringComparison.Ordinal) && database.Length > "sqlite:".Length)
        {
            return ValidateSqlitePath(database["sqlite:".Length..]);
        }

        if (database.StartsWith("postgres:", StringComparison.Ordinal) && database.Length > "postgres:".Length)
        {
            return null;
        }

        return "KeyBroker:Database must be 'sqlite:PATH' or 'postgres:CONNECTION STRING' (for example sqlite:/var/lib/mantle/broker.db).";
    }

    private static string? ValidateSqlitePath(string path)
    {
        if (path == ":memory:")
        {
            return null;
        }

        if (Directory.Exists(path))
        {
            return $"KeyBroker:Database 'sqlite:{path}' names a folder; give the path of the SQLite file (for example sqlite:{Path.Combine(path, "broker.db")}).";
        }

        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        return folder is null || Directory.Exists(folder)
            ? null
            : $"KeyBroker:Database 'sqlite:{path}': the folder {folder} does not exist; create it or choose another path.";
    }

    public static IBrokerStore Create(string database, TimeProvider time) =>
        database.StartsWith("postgres:", StringComparison.Ordinal)
            ? new PostgresBrokerStore(database["postgres:".Length..], time)
            : new SqliteBrokerStore(database["sqlite:".Length..], time);
}
