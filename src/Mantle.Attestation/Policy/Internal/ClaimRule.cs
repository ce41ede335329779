using System.Globalization;

namespace Mantle.Attestation.Policy.Internal;

/// <summary>
/// One rule of a policy's <c>claims</c> object. Values are <see cref="string"/>, <see cref="long"/>,
/// <see cref="bool"/> or <c>string[]</c> (for list claims such as <c>advisory_ids</c>).
/// </summary>
internal sealed class ClaimRule
{
    public required string Claim { get; init; }

    public bool HasEquals { get; init; }

    public object? EqualsValue { get; init; }

    public IReadOnlyList<object>? OneOf { get; init; }

    public IReadOnlyList<object>? NoneOf { get; init; }

    public long? Min { get; init; }

    public long? Max { get; init; }

    /// <summary>The TEE whose claims this rule is about (<c>sgx.</c> rules apply to SGX evidence only), or null for normalized claims.</summary>
    public TeeType? AppliesTo { get; init; }

    public void Evaluate(IReadOnlyDictionary<string, object> claims, List<PolicyFailure> failures)
    {
        if (!claims.TryGetValue(Claim, out var actual))
        {
            failures.Add(new PolicyFailure(Claim, Describe(), "(absent)"));
            return;
        }

        if (HasEquals && !ValueMatches(EqualsValue!, actual))
        {
            failures.Add(new PolicyFailure(Claim, Format(EqualsValue!), Format(actual)));
        }

        if (OneOf is not null)
        {
            var ok = actual is string[] list
                ? list.All(item => OneOf.Any(expected => ScalarEquals(expected, item)))
                : OneOf.Any(expected => ScalarEquals(expected, actual));
            if (!ok)
            {
                failures.Add(new PolicyFailure(Claim, (actual is string[] ? "only values from " : "one of ") + FormatList(OneOf), Format(actual)));
            }
        }

        if (NoneOf is not null)
        {
            var bad = actual is string[] list
                ? list.Any(item => NoneOf.Any(refused => ScalarEquals(refused, item)))
                : NoneOf.Any(refused => ScalarEquals(refused, actual));
            if (bad)
            {
                failures.Add(new PolicyFailure(Claim, "none of " + FormatList(NoneOf), Format(actual)));
            }
        }

        if (Min is not null || Max is not null)
        {
            if (actual is not long number)
            {
                failures.Add(new PolicyFailure(Claim, DescribeRange() + " (a number)", Format(actual)));
            }
            else if (number < Min || number > Max)
            {
                failures.Add(new PolicyFailure(Claim, DescribeRange(), Format(actual)));
            }
        }
    }

    private string Describe()
    {
        var parts = new List<string>();
        if (HasEquals)
        {
            parts.Add(Format(EqualsValue!));
        }

        if (OneOf is not null)
        {
            parts.Add("one of " + FormatList(OneOf));
        }

        if (NoneOf is not null)
        {
            parts.Add("none of " + FormatList(NoneOf));
        }

        if (Min is not null || Max is not null)
        {
            parts.Add(DescribeRange());
        }

        return string.Join(" and ", parts);
    }

    private string DescribeRange() => (Min, Max) switch
    {
        ({ } min, { } max) => string.Create(CultureInfo.InvariantCulture, $">= {min} and <= {max}"),
        ({ } min, null) => string.Create(CultureInfo.InvariantCulture, $">= {min}"),
        (null, { } max) => string.Create(CultureInfo.InvariantCulture, $"<= {max}"),
        _ => string.Empty,
    };

    private static bool ValueMatches(object expected, object actual)
    {
        if (expected is string[] expectedList)
        {
            return actual is string[] actualList
                && actualList.Length == expectedList.Length
                && actualList.All(a => expectedList.Any(e => ScalarEquals(e, a)))
                && expectedList.All(e => actualList.Any(a => ScalarEquals(e, a)));
        }

        return ScalarEquals(expected, actual);
    }

    internal static bool ScalarEquals(object expected, object actual) => (expected, actual) switch
    {
        (string e, string a) => IsHex(e) && IsHex(a)
            ? string.Equals(e, a, StringComparison.OrdinalIgnoreCase)
            : string.Equals(e, a, StringComparison.Ordinal),
        (long e, long a) => e == a,
        (bool e, bool a) => e == a,
        _ => false,
    };

    private static bool IsHex(string value) => value.Length > 0 && value.Length % 2 == 0 && value.All(char.IsAsciiHexDigit);

    internal static string Format(object value) => value switch
    {
        string s => "'" + s + "'",
        bool b => b ? "true" : "false",
        long l => l.ToString(CultureInfo.InvariantCulture),
        string[] list => "[" + string.Join(", ", list.Select(s => "'" + s + "'")) + "]",
        IEnumerable<string> list => "[" + string.Join(", ", list.Select(s => "'" + s + "'")) + "]",
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };

    private static string FormatList(IReadOnlyList<object> values) => "[" + string.Join(", ", values.Select(Format)) + "]";
}
