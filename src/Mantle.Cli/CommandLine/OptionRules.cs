using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Net;
using System.Numerics;
using System.Text.RegularExpressions;

namespace Mantle.Cli.CommandLine;

/// <summary>
/// Checks of option values at the boundary: the parser reports a value out of range as a usage error naming the
/// option, before the command runs.
/// </summary>
internal static partial class OptionRules
{
    /// <summary>The value must lie in <paramref name="min"/>..<paramref name="max"/>.</summary>
    public static Option<T> Range<T>(this Option<T> option, T min, T max, string? unit = null)
        where T : struct, INumber<T>
    {
        option.Validators.Add(result =>
        {
            if (TryValue<T>(result, out var value))
            {
                CheckRange(result, value, min, max, unit);
            }
        });
        return option;
    }

    /// <summary>The value, when given, must lie in <paramref name="min"/>..<paramref name="max"/>.</summary>
    public static Option<T?> Range<T>(this Option<T?> option, T min, T max, string? unit = null)
        where T : struct, INumber<T>
    {
        option.Validators.Add(result =>
        {
            if (TryValue<T?>(result, out var value) && value is { } given)
            {
                CheckRange(result, given, min, max, unit);
            }
        });
        return option;
    }

    /// <summary>The value must not be empty or blank.</summary>
    public static Option<T> NotEmpty<T>(this Option<T> option)
    {
        option.Validators.Add(result =>
        {
            if (result.Tokens.Any(token => string.IsNullOrWhiteSpace(token.Value)))
            {
                result.AddError($"{result.Option.Name} must not be empty.");
            }
        });
        return option;
    }

    /// <summary>The value must be an absolute http:// or https:// URL.</summary>
    public static Option<T> HttpUrl<T>(this Option<T> option)
    {
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (!IsHttpUrl(token.Value))
                {
                    result.AddError($"{result.Option.Name} '{token.Value}' is not an http(s) URL such as https://broker.example:8443.");
                }
            }
        });
        return option;
    }

    /// <summary>Each value must be a DNS name (a leading <c>*.</c> allowed) or an IP address, as certificates carry them.</summary>
    public static Option<T> HostNames<T>(this Option<T> option)
    {
        option.Validators.Add(result =>
        {
            foreach (var token in result.Tokens)
            {
                if (!IsHostName(token.Value))
                {
                    result.AddError($"{result.Option.Name} '{token.Value}' is not a DNS name (letters, digits, '-' and '.', at most 253 characters) or an IP address.");
                }
            }
        });
        return option;
    }

    public static bool IsHttpUrl(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) && uri.Host.Length > 0;

    public static bool IsHostName(string text) =>
        IPAddress.TryParse(text, out _) || (text.Length <= 253 && DnsName().IsMatch(text));

    [GeneratedRegex(@"^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$", RegexOptions.CultureInvariant)]
    private static partial Regex DnsName();

    /// <summary>The value given on the command line; false when none was given or it did not parse (the parser says so itself).</summary>
    private static bool TryValue<T>(OptionResult result, out T value)
    {
        value = default!;
        if (result.Tokens.Count == 0)
        {
            return false;
        }

        try
        {
            value = result.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static void CheckRange<T>(OptionResult result, T given, T min, T max, string? unit)
        where T : struct, INumber<T>
    {
        if (given >= min && given <= max)
        {
            return;
        }

        var units = unit is null ? string.Empty : " " + unit;
        result.AddError(max == MaxOf<T>()
            ? $"{result.Option.Name} must be at least {Format(min)}{units}, not {Format(given)}."
            : $"{result.Option.Name} must be between {Format(min)} and {Format(max)}{units}, not {Format(given)}.");
    }

    private static T MaxOf<T>()
        where T : struct, INumber<T> =>
        typeof(T) == typeof(int) ? (T)(object)int.MaxValue
        : typeof(T) == typeof(long) ? (T)(object)long.MaxValue
        : typeof(T) == typeof(double) ? (T)(object)double.MaxValue
        : default;

    private static string Format<T>(T value)
        where T : INumber<T> => value.ToString(null, CultureInfo.InvariantCulture);
}
