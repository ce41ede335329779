using System.Globalization;
using System.Text.Json;

namespace Mantle.Attestation.Intel.Internal;

/// <summary>Strict readers for the fields of Intel's collateral JSON; a missing or mistyped field is invalid collateral.</summary>
internal static class JsonFields
{
    public static JsonElement Get(JsonElement obj, string name, string what) =>
        obj.ValueKind == JsonValueKind.Object && obj.TryGetProperty(name, out var value)
            ? value
            : throw IntelErrors.Collateral($"The {what} has no '{name}' field. Supply the JSON exactly as Intel PCS returned it.");

    public static string String(JsonElement obj, string name, string what)
    {
        var value = Get(obj, name, what);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Mistyped(name, what, "a string");
    }

    public static int Int(JsonElement obj, string name, string what)
    {
        var value = Get(obj, name, what);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number) ? number : throw Mistyped(name, what, "an integer");
    }

    public static DateTimeOffset Date(JsonElement obj, string name, string what)
    {
        var text = String(obj, name, what);
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date)
            ? date
            : throw Mistyped(name, what, "an ISO-8601 date");
    }

    public static byte[] Hex(JsonElement obj, string name, string what, int length)
    {
        var text = String(obj, name, what);
        try
        {
            var bytes = Convert.FromHexString(text);
            return bytes.Length == length ? bytes : throw Mistyped(name, what, $"{length} bytes of hex");
        }
        catch (FormatException)
        {
            throw Mistyped(name, what, "hex");
        }
    }

    public static JsonElement.ArrayEnumerator Array(JsonElement obj, string name, string what)
    {
        var value = Get(obj, name, what);
        return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray() : throw Mistyped(name, what, "an array");
    }

    public static string[] Advisories(JsonElement level) =>
        level.TryGetProperty("advisoryIDs", out var ids) && ids.ValueKind == JsonValueKind.Array
            ? [.. ids.EnumerateArray().Where(id => id.ValueKind == JsonValueKind.String).Select(id => id.GetString()!)]
            : [];

    private static AttestationException Mistyped(string name, string what, string expected) =>
        IntelErrors.Collateral($"The {what} field '{name}' is not {expected}. Supply the JSON exactly as Intel PCS returned it.");
}
