namespace Mantle.KeyBroker.Internal.Storage;

internal static class StoreFactory
{
    /// <summary>Parses <c>sqlite:PATH</c> or <c>postgres:CONNSTRING</c>; returns an error message naming the option when it is neither.</summary>
    public static string? Validate(string? database)
    {
        if (string.IsNullOrWhiteSpace(database))
        {
            return null;
        }

        if (database.StartsWith("sqlite:", StringComparison.Ordinal) && database.Length > "sqlite:".Length)
        {
            return null;
        }

        if (database.StartsWith("postgres:", StringComparison.Ordinal) && database.Length > "postgres:".Length)
        {
            return null;
        }

        return "KeyBroker:Database must be 'sqlite:PATH' or 'postgres:CONNECTION STRING' (for example sqlite:/var/lib/mantle/broker.db).";
    }

    public static IBrokerStore Create(string database, TimeProvider time) =>
        database.StartsWith("postgres:", StringComparison.Ordinal)
            ? new PostgresBrokerStore(database["postgres:".Length..], time)
            : new SqliteBrokerStore(database["sqlite:".Length..], time);
}
