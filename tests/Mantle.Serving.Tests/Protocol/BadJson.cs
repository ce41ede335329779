using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;

namespace Mantle.Serving.Tests.Protocol;

/// <summary>
/// Generators of malformed request bodies for the bad-input suites of the server and the broker: strings that
/// are not UTF-8 text, bodies that are not JSON from their first byte, nesting past any parser's depth, values of
/// the wrong JSON type, and numbers outside a float type's range.
/// </summary>
internal static class BadJson
{
    /// <summary>Byte sequences that make a JSON string's content not UTF-8 text: invalid bytes, and unpaired surrogate escapes.</summary>
    public static readonly byte[][] NotTextFragments =
    [
        [0xC3, 0x28],                   // a lead byte followed by ASCII
        [0xFF],                         // never valid in UTF-8
        [0x80],                         // a lone continuation byte
        [0xE2, 0x82],                   // a truncated 3-byte sequence
        [0xC0, 0xAF],                   // an overlong encoding of '/'
        [0xED, 0xA0, 0x80],             // a surrogate encoded as UTF-8
        [0xF4, 0x90, 0x80, 0x80],       // above U+10FFFF
        .. new[] { "\\ud800", "\\udbff", "\\udc00", "\\udfff", "\\ud800\\ud800", "\\udc00\\ud800", "\\ud83d" }.Select(Encoding.ASCII.GetBytes),
    ];

    /// <summary>Short ASCII text that needs no escaping.</summary>
    public static Gen<string> Ascii =>
        Gen.ArrayOf(Gen.Elements("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_. ".ToCharArray())).Resize(12)
            .Select(chars => new string(chars));

    /// <summary>The content of a JSON string (without quotes) with one fragment that is not text at a random place.</summary>
    public static Gen<byte[]> NotTextContent =>
        from prefix in Ascii
        from fragment in Gen.Elements(NotTextFragments)
        from suffix in Ascii
        select (byte[])[.. Encoding.ASCII.GetBytes(prefix), .. fragment, .. Encoding.ASCII.GetBytes(suffix)];

    /// <summary>Bodies whose first byte after optional whitespace cannot start a JSON object.</summary>
    public static Gen<byte[]> NonJsonBody =>
        from blank in Gen.Elements("", " ", "\r\n", "\t \n")
        from first in Gen.Choose(0, 255).Where(b => b != '{' && b is not (' ' or '\t' or '\r' or '\n'))
        from tail in Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)).Resize(64)
        select (byte[])[.. Encoding.ASCII.GetBytes(blank), (byte)first, .. tail];

    /// <summary>JSON values by kind, for putting a value of the wrong type where a field expects another.</summary>
    public static readonly IReadOnlyDictionary<JsonKind, string[]> ValuesByKind = new Dictionary<JsonKind, string[]>
    {
        [JsonKind.Number] = ["7", "-1", "2.5", "1e3", "-0"],
        [JsonKind.String] = ["\"\"", "\"x\"", "\"FP32\""],
        [JsonKind.Bool] = ["true", "false"],
        [JsonKind.Null] = ["null"],
        [JsonKind.Array] = ["[]", "[1]", "[\"a\", {}]"],
        [JsonKind.Object] = ["{}", "{\"a\": 1}"],
    };

    /// <summary>A JSON value of any kind but those allowed.</summary>
    public static Gen<string> ValueNotOf(params JsonKind[] allowed) =>
        Gen.Elements(ValuesByKind.Where(pair => !allowed.Contains(pair.Key)).SelectMany(pair => pair.Value).ToArray());

    /// <summary>A field from <paramref name="fields"/> and a JSON value of a kind the field does not accept.</summary>
    public static Arbitrary<(T Field, string Value)> WrongType<T>(T[] fields, Func<T, JsonKind[]> allowed) =>
        Gen.Elements(fields).SelectMany(field => ValueNotOf(allowed(field)).Select(value => (field, value))).ToArbitrary();

    /// <summary>Asserts that a refusal carries no exception or stack trace and that its message names each mention.</summary>
    public static void AssertNames(string body, string message, IEnumerable<string> mentions)
    {
        Xunit.Assert.True(IsClean(body), body);
        foreach (var mention in mentions)
        {
            Xunit.Assert.Contains(mention, message, StringComparison.Ordinal);
        }
    }

    /// <summary>An array nested past a parser's depth limit, around a number.</summary>
    public static Gen<string> DeeplyNested(int minDepth) =>
        Gen.Choose(minDepth, minDepth + 2000).Select(depth => new string('[', depth) + "1" + new string(']', depth));

    /// <summary>Decimal literals whose magnitude is at least <paramref name="min"/> (finite as a double or beyond it).</summary>
    public static Gen<string> NumberAtLeast(double min) =>
        Gen.OneOf(
            from factor in Gen.Choose(1, 1000)
            from exponent in Gen.Choose(0, 260)
            from negative in Gen.Elements(false, true)
            select (negative ? "-" : "") + (min * (1 + (factor / 1000.0)) * Math.Pow(10, exponent)).ToString("R", CultureInfo.InvariantCulture),
            from digits in Gen.Choose(330, 400)
            select "1" + new string('0', digits));

    /// <summary>Joins UTF-8 text and raw bytes into one body.</summary>
    public static byte[] Body(params object[] parts) =>
        [.. parts.SelectMany(part => part switch
        {
            string text => Encoding.UTF8.GetBytes(text),
            byte[] bytes => bytes,
            _ => throw new ArgumentException("parts are strings or byte arrays", nameof(parts)),
        })];

    /// <summary>True when an error text carries no sign of an exception or stack trace.</summary>
    public static bool IsClean(string text) =>
        !text.Contains("   at ", StringComparison.Ordinal) && !text.Contains("Exception", StringComparison.Ordinal) && text.Length > 0;
}

/// <summary>The kinds of JSON values.</summary>
internal enum JsonKind
{
    Number,
    String,
    Bool,
    Null,
    Array,
    Object,
}
