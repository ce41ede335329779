using System.Text;
using System.Text.Json;

namespace Mantle.Serving.Protocol.Internal;

/// <summary>
/// The bound on text fields that a request names or that the server echoes: request ids, model, input and
/// output names, datatypes, signature names and version labels. Checked when the request is read, so that a
/// field of hundreds of megabytes is refused before inference instead of failing the response or the
/// error message that quotes it.
/// </summary>
internal static class RequestText
{
    /// <summary>The most UTF-8 bytes a text field may hold.</summary>
    public const int MaxBytes = 1024;

    /// <summary>Null when <paramref name="value"/> fits, else the refusal naming <paramref name="field"/> and the limit.</summary>
    public static string? Check(string field, string? value) =>
        value is null || value.Length <= MaxBytes / 3 || Encoding.UTF8.GetByteCount(value) <= MaxBytes ? null : TooLong(field);

    /// <summary>
    /// Null when the current JSON string token fits once unescaped, else the refusal; looks at the raw length
    /// first, so an oversized value is never turned into a string. A value that is not UTF-8 text throws
    /// <see cref="InvalidOperationException"/>, as <see cref="Utf8JsonReader.GetString"/> does.
    /// </summary>
    public static string? Check(string field, ref Utf8JsonReader reader)
    {
        var raw = reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length;
        if (raw <= MaxBytes)
        {
            return null;
        }

        // The longest escape, \uXXXX, is 6 bytes for at least one UTF-8 byte: longer raw text cannot fit.
        return raw > 6L * MaxBytes ? TooLong(field) : Check(field, reader.GetString());
    }

    private static string TooLong(string field) =>
        $"{field} is longer than {MaxBytes} bytes, the limit for request ids, names and labels; send a shorter one";
}
