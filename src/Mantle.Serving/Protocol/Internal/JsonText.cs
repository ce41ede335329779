using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Mantle.Serving.Protocol.Internal;

/// <summary>
/// The rule for JSON strings in request bodies: every string that the server reads (property names and values)
/// must be UTF-8 text, with no invalid bytes and no unpaired surrogate escape such as <c>\ud800</c>. The parsers
/// check the strings they use as they read them; when a read fails, <see cref="FindInvalidString"/> walks the
/// document once more to name the field, so valid requests pay nothing for the diagnosis.
/// </summary>
internal static class JsonText
{
    /// <summary>How much of a property name a location quotes; longer names are cut.</summary>
    private const int MaxQuotedName = 64;

    /// <summary>The refusal for a string at <paramref name="location"/> that is not UTF-8 text.</summary>
    public static string NotText(string location) =>
        $"{location} is not valid UTF-8 text (it holds invalid bytes or an unpaired surrogate escape such as \\ud800); JSON strings must be UTF-8";

    /// <summary>True when the current string or property name token is UTF-8 text once unescaped.</summary>
    public static bool IsText(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            return Utf8.IsValid(reader.ValueSpan);
        }

        var length = checked((int)(reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length));
        var scratch = ArrayPool<byte>.Shared.Rent(Math.Max(length, 1));
        try
        {
            return TryUnescape(ref reader, scratch, out _);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    /// <summary>
    /// Throws <see cref="InvalidOperationException"/>, as the reader's own string reads do, when the current string
    /// or property name is not UTF-8 text: for names the parser matches without turning them into strings.
    /// </summary>
    public static void EnsureText(ref Utf8JsonReader reader)
    {
        if (!IsText(ref reader))
        {
            throw new InvalidOperationException("A JSON string is not UTF-8 text.");
        }
    }

    /// <summary>The current string token's UTF-8 bytes, unescaped into a new array; null when it is not UTF-8 text.</summary>
    public static byte[]? CopyText(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            return Utf8.IsValid(reader.ValueSpan) ? reader.ValueSpan.ToArray() : null;
        }

        var scratch = new byte[reader.HasValueSequence ? reader.ValueSequence.Length : reader.ValueSpan.Length];
        return TryUnescape(ref reader, scratch, out var written) ? scratch.AsSpan(0, written).ToArray() : null;
    }

    private static bool TryUnescape(ref Utf8JsonReader reader, byte[] target, out int written)
    {
        try
        {
            written = reader.CopyString(target);
            return Utf8.IsValid(target.AsSpan(0, written));
        }
        catch (InvalidOperationException)
        {
            // The unescaped value holds an unpaired surrogate, which has no UTF-8 form.
            written = 0;
            return false;
        }
    }

    /// <summary>
    /// Names the first string of <paramref name="json"/> that is not UTF-8 text, as a path such as
    /// <c>inputs[0].name</c> or <c>a property name in inputs[0]</c>; null when every string is text or the
    /// document is not well-formed JSON.
    /// </summary>
    public static string? FindInvalidString(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        var path = new List<Frame>();
        try
        {
            while (reader.Read())
            {
                var token = reader.TokenType;
                if (token is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    path.RemoveAt(path.Count - 1);
                    continue;
                }

                if (token == JsonTokenType.PropertyName)
                {
                    path[^1].Property = null;
                    if (!IsText(ref reader))
                    {
                        return "a property name in " + Describe(path);
                    }

                    path[^1].Property = Quote(reader.GetString()!);
                    continue;
                }

                if (path.Count > 0 && path[^1].IsArray)
                {
                    path[^1].Index++;
                }

                if (token == JsonTokenType.String && !IsText(ref reader))
                {
                    return Describe(path);
                }

                if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    path.Add(new Frame { IsArray = token == JsonTokenType.StartArray });
                }
            }
        }
        catch (JsonException)
        {
            return null;
        }

        return null;
    }

    private static string Quote(string name) => name.Length <= MaxQuotedName ? name : name[..MaxQuotedName] + "…";

    private static string Describe(List<Frame> path)
    {
        var text = new StringBuilder();
        foreach (var frame in path)
        {
            if (frame.IsArray)
            {
                text.Append(CultureInfo.InvariantCulture, $"[{frame.Index}]");
            }
            else if (frame.Property is not null)
            {
                text.Append(text.Length == 0 ? string.Empty : ".").Append(frame.Property);
            }
        }

        return text.Length == 0 ? "the request body" : text.ToString();
    }

    private sealed class Frame
    {
        public bool IsArray { get; init; }

        public int Index { get; set; } = -1;

        public string? Property { get; set; }
    }
}
