using System.Buffers;

namespace Mantle.Serving.TfServing.Internal.Rest;

/// <summary>
/// TF Serving accepts and writes the bare tokens <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c>,
/// which are not JSON. Before parsing, this quotes such tokens outside strings (<c>NaN</c> becomes
/// <c>"NaN"</c>) so that System.Text.Json can read the document and the float reader can take the
/// quoted forms.
/// </summary>
internal static class JsonNonFinite
{
    private static readonly SearchValues<byte> OutsideString = SearchValues.Create("\"NI"u8);

    private static ReadOnlySpan<byte> NaN => "NaN"u8;

    private static ReadOnlySpan<byte> Infinity => "Infinity"u8;

    /// <summary>
    /// Returns a rewritten copy in a buffer rented from <see cref="ArrayPool{T}.Shared"/> (the caller
    /// returns it), or null when the document has no bare non-finite tokens.
    /// </summary>
    public static byte[]? Rewrite(ReadOnlySpan<byte> json, out int length)
    {
        length = 0;
        var count = CountBareTokens(json);
        if (count == 0)
        {
            return null;
        }

        var output = ArrayPool<byte>.Shared.Rent(json.Length + (2 * count));
        var inString = false;
        var o = 0;
        for (var i = 0; i < json.Length; i++)
        {
            var c = json[i];
            if (inString)
            {
                output[o++] = c;
                if (c == (byte)'\\' && i + 1 < json.Length)
                {
                    output[o++] = json[++i];
                }
                else if (c == (byte)'"')
                {
                    inString = false;
                }

                continue;
            }

            if (c == (byte)'"')
            {
                inString = true;
                output[o++] = c;
                continue;
            }

            var tokenLength = BareTokenLength(json, i);
            if (tokenLength > 0)
            {
                output[o++] = (byte)'"';
                json.Slice(i, tokenLength).CopyTo(output.AsSpan(o));
                o += tokenLength;
                output[o++] = (byte)'"';
                i += tokenLength - 1;
                continue;
            }

            output[o++] = c;
        }

        length = o;
        return output;
    }

    private static int CountBareTokens(ReadOnlySpan<byte> json)
    {
        // Vectorized search: outside strings only '"', 'N' and 'I' matter; inside, only '"' and '\'.
        var count = 0;
        var i = 0;
        while (true)
        {
            var next = json[i..].IndexOfAny(OutsideString);
            if (next < 0)
            {
                return count;
            }

            i += next;
            if (json[i] == (byte)'"')
            {
                i = SkipString(json, i + 1);
                if (i < 0)
                {
                    return count;
                }

                continue;
            }

            var start = i > 0 && json[i - 1] == (byte)'-' ? i - 1 : i;
            var length = BareTokenLength(json, start);
            if (length > 0)
            {
                count++;
                i = start + length;
            }
            else
            {
                i++;
            }
        }
    }

    /// <summary>Returns the index after the closing quote of a string whose content starts at <paramref name="i"/>, or -1.</summary>
    private static int SkipString(ReadOnlySpan<byte> json, int i)
    {
        while (true)
        {
            var next = json[i..].IndexOfAny((byte)'"', (byte)'\\');
            if (next < 0)
            {
                return -1;
            }

            i += next;
            if (json[i] == (byte)'"')
            {
                return i + 1;
            }

            i += 2;
            if (i >= json.Length)
            {
                return -1;
            }
        }
    }

    private static int BareTokenLength(ReadOnlySpan<byte> json, int i)
    {
        var rest = json[i..];
        if (rest.StartsWith(NaN))
        {
            return NaN.Length;
        }

        if (rest.StartsWith(Infinity))
        {
            return Infinity.Length;
        }

        if (rest.Length > 1 && rest[0] == (byte)'-' && rest[1..].StartsWith(Infinity))
        {
            return Infinity.Length + 1;
        }

        return 0;
    }
}
