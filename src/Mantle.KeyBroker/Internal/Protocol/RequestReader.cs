using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Mantle.KeyBroker.Internal.Protocol;

internal static class RequestReader
{
    /// <summary>How far over the body limit a declared body may be and still be drained after the 413.</summary>
    private const long DrainAllowanceBytes = 16 * 1024 * 1024;

    /// <summary>How much of a property name a problem quotes; longer names are cut.</summary>
    private const int MaxQuotedName = 64;

    /// <summary>
    /// Reads a JSON object body whose every string (names and values) is UTF-8 text; on failure returns null and a
    /// message that says what is wrong and where (never the body itself).
    /// </summary>
    /// <exception cref="BadHttpRequestException">The body is larger than the server's limit (413), answered by the exception handler.</exception>
    public static async Task<(JsonDocument? Document, string? Problem)> ReadObjectAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var sizeFeature = request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
        if (request.ContentLength is { } declared && sizeFeature?.MaxRequestBodySize is { } limit && declared > limit)
        {
            // Refused from the declared length, before reading. Kestrel may drain a moderately larger body after the
            // answer, so that an HTTP/1.1 client that is still sending reads the 413 instead of a reset connection.
            if (!sizeFeature.IsReadOnly && declared - limit <= DrainAllowanceBytes)
            {
                sizeFeature.MaxRequestBodySize = declared;
            }

            throw new BadHttpRequestException(
                $"The request body ({declared} bytes) is larger than the broker's limit of {limit} bytes.", StatusCodes.Status413PayloadTooLarge);
        }

        JsonDocument doc;
        try
        {
            doc = await JsonDocument.ParseAsync(request.Body, default, cancellationToken);
        }
        catch (JsonException ex)
        {
            return (null, $"The request body is not valid JSON (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}).");
        }

        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            doc.Dispose();
            return (null, "The request body must be a JSON object.");
        }

        // The parser accepts strings that cannot be read as text; find them here, once, so no handler meets one.
        if (FindInvalidText(doc.RootElement, null) is { } location)
        {
            doc.Dispose();
            return (null, $"{location} is not valid UTF-8 text (it holds invalid bytes or an unpaired surrogate escape such as \\ud800); send the JSON as UTF-8.");
        }

        return (doc, null);
    }

    public static string? GetString(JsonElement root, string name) =>
        root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static string RemoteAddress(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>The location (<c>'tee-pubkey.x'</c>, <c>a property name in 'policy'</c>) of the first string that is not text, or null.</summary>
    private static string? FindInvalidText(JsonElement element, string? path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                try
                {
                    _ = element.GetString();
                    return null;
                }
                catch (InvalidOperationException)
                {
                    return Describe(path);
                }

            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException)
                    {
                        return "A property name in " + Describe(path);
                    }

                    var quoted = name.Length <= MaxQuotedName ? name : name[..MaxQuotedName] + "…";
                    if (FindInvalidText(property.Value, path is null ? quoted : $"{path}.{quoted}") is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindInvalidText(item, string.Create(CultureInfo.InvariantCulture, $"{path}[{index++}]")) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static string Describe(string? path) => path is null ? "the request body" : $"'{path}'";
}
