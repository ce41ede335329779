namespace Mantle.Client.Tensors;

/// <summary>
/// TF Serving writes non-finite floats as bare <c>NaN</c>, <c>Infinity</c> and <c>-Infinity</c> tokens,
/// which are not JSON. This turns them into strings so that a standard parser reads the document;
/// <see cref="JsonTensors"/> reads such strings back as numbers.
/// </summary>
public static class NonFiniteJson
{
    /// <summary>Returns the document with bare non-finite tokens outside strings quoted (the input itself when there are none).</summary>
    public static byte[] Quote(byte[] json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (json.AsSpan().IndexOfAny("NI"u8) < 0)
        {
            return json;
        }

        var output = new List<byte>(json.Length + 16);
        var inString = false;
        for (var i = 0; i < json.Length; i++)
        {
            var c = json[i];
            if (inString)
            {
                output.Add(c);
                if (c == (byte)'\\' && i + 1 < json.Length)
                {
                    output.Add(json[++i]);
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
                output.Add(c);
                continue;
            }

            var token = Match(json.AsSpan(i));
            if (token > 0)
            {
                output.Add((byte)'"');
                output.AddRange(json.AsSpan(i, token));
                output.Add((byte)'"');
                i += token - 1;
                continue;
            }

            output.Add(c);
        }

        return [.. output];
    }

    private static int Match(ReadOnlySpan<byte> rest)
    {
        if (rest.StartsWith("NaN"u8))
        {
            return 3;
        }

        if (rest.StartsWith("Infinity"u8))
        {
            return 8;
        }

        return rest.StartsWith("-Infinity"u8) ? 9 : 0;
    }
}
