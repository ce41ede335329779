using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Mantle.KeyBroker.Internal.Protocol;

internal static class RequestReader
{
    /// <summary>Reads a JSON object body; on failure returns null and a message that says what is wrong (never the body itself).</summary>
    public static async Task<(JsonDocument? Document, string? Problem)> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var doc = await JsonDocument.ParseAsync(request.Body, default, cancellationToken);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                doc.Dispose();
                return (null, "The request body must be a JSON object.");
            }

            return (doc, null);
        }
        catch (JsonException ex)
        {
            return (null, $"The request body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).");
        }
    }

    public static string? GetString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static string RemoteAddress(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
