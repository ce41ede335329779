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
        var count = 0;
        var inString = false;
        for (var i = 0; i < json.Length; i++)
        {
            var c = json[i];
            if (inString)
            {
                if (c == (byte)'\\')
                {
                    i++;
                }
                else if (c == (byte)'"')
                {
                    inString = false;
                }
            }
            else if (c == (byte)'"')
            {
                inString = true;
            }
            else if (c is (byte)'N' or (byte)'I' or (byte)'-')
            {
                var length = BareTokenLength(json, i);
                if (length > 0)
                {
                    count++;
                    i += length - 1;
                }
            }
        }

        return count;
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
