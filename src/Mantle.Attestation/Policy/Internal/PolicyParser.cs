using System.Text.Json;

namespace Mantle.Attestation.Policy.Internal;

/// <summary>Parses the policy JSON strictly: unknown keys, duplicate keys and malformed values are refused with their JSON path.</summary>
internal static class PolicyParser
{
    public static readonly string[] KnownTcbStatuses =
    [
        "UpToDate", "SWHardeningNeeded", "ConfigurationNeeded", "ConfigurationAndSWHardeningNeeded",
        "OutOfDate", "OutOfDateConfigurationNeeded", "Revoked", "TcbLevelNotSupported", "NotEvaluated",
    ];

    private static readonly string[] NormalizedClaims =
        ["tee", "measurement", "signer", "product_id", "svn", "debug", "tcb_status", "advisory_ids", "report_data"];

    public static ParsedPolicy Parse(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            throw Invalid("$", $"is not valid JSON ({ex.Message})");
        }

        using (document)
        {
            var root = document.RootElement;
            var properties = Object(root, "$", ["version", "tees", "allow_debug", "tcb_status", "claims"]);

            if (!properties.TryGetValue("version", out var version))
            {
                throw Invalid("$.version", "is missing; write \"version\": 1");
            }

            if (version.ValueKind != JsonValueKind.Number || !version.TryGetInt32(out var versionNumber) || versionNumber != 1)
            {
                throw Invalid("$.version", $"is {version.GetRawText()}; this Mantle reads policy version 1");
            }

            var tees = new List<TeeType> { TeeType.Sgx, TeeType.Tdx, TeeType.Snp };
            if (properties.TryGetValue("tees", out var teesElement))
            {
                tees = [];
                var i = 0;
                foreach (var item in Array(teesElement, "$.tees", allowEmpty: false))
                {
                    var path = $"$.tees[{i++}]";
                    if (item.ValueKind != JsonValueKind.String || !TeeTypeNames.TryParse(item.GetString(), out var tee))
                    {
                        throw Invalid(path, $"is {item.GetRawText()}; expected one of \"sim\", \"sgx\", \"tdx\", \"snp\"");
                    }

                    if (!tees.Contains(tee.Value))
                    {
                        tees.Add(tee.Value);
                    }
                }
            }

            var allowDebug = false;
            if (properties.TryGetValue("allow_debug", out var debugElement))
            {
                allowDebug = debugElement.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    _ => throw Invalid("$.allow_debug", $"is {debugElement.GetRawText()}; expected true or false"),
                };
            }

            var tcb = new List<string> { "UpToDate" };
            if (properties.TryGetValue("tcb_status", out var tcbElement))
            {
                tcb = [];
                var i = 0;
                foreach (var item in Array(tcbElement, "$.tcb_status", allowEmpty: false))
                {
                    var path = $"$.tcb_status[{i++}]";
                    var known = item.ValueKind == JsonValueKind.String
                        ? KnownTcbStatuses.FirstOrDefault(s => string.Equals(s, item.GetString(), StringComparison.OrdinalIgnoreCase))
                        : null;
                    if (known is null)
                    {
                        throw Invalid(path, $"is {item.GetRawText()}; expected one of {string.Join(", ", KnownTcbStatuses)}");
                    }

                    if (!tcb.Contains(known))
                    {
                        tcb.Add(known);
                    }
                }
            }

            var rules = new List<ClaimRule>();
            if (properties.TryGetValue("claims", out var claimsElement))
            {
                foreach (var (name, ruleElement) in Object(claimsElement, "$.claims", allowed: null))
                {
                    rules.Add(ParseRule(name, ruleElement));
                }
            }

            return new ParsedPolicy(tees, allowDebug, tcb, rules);
        }
    }

    private static ClaimRule ParseRule(string name, JsonElement element)
    {
        var path = $"$.claims['{name}']";
        TeeType? appliesTo = null;
        var dot = name.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0 && dot < name.Length - 1)
        {
            if (!TeeTypeNames.TryParse(name[..dot], out var prefixTee) || name[..dot] != prefixTee.Value.ToName())
            {
                throw Invalid(path, $"names a claim with the unknown prefix '{name[..dot]}'; TEE claims start with sim., sgx., tdx. or snp.");
            }

            appliesTo = prefixTee;
        }
        else if (!NormalizedClaims.Contains(name, StringComparer.Ordinal))
        {
            throw Invalid(path, $"names an unknown claim; expected one of {string.Join(", ", NormalizedClaims)} or a TEE claim such as sgx.isv_svn");
        }

        var properties = Object(element, path, ["equals", "one_of", "none_of", "min", "max"]);
        if (properties.Count == 0)
        {
            throw Invalid(path, "has no condition; use equals, one_of, none_of, min or max");
        }

        object? equalsValue = null;
        var hasEquals = properties.TryGetValue("equals", out var equalsElement);
        if (hasEquals)
        {
            equalsValue = equalsElement.ValueKind == JsonValueKind.Array
                ? Array(equalsElement, path + ".equals", allowEmpty: true).Select((e, i) => StringItem(e, $"{path}.equals[{i}]")).ToArray()
                : Scalar(equalsElement, path + ".equals");
        }

        return new ClaimRule
        {
            Claim = name,
            AppliesTo = appliesTo,
            HasEquals = hasEquals,
            EqualsValue = equalsValue,
            OneOf = properties.TryGetValue("one_of", out var oneOf) ? ScalarList(oneOf, path + ".one_of") : null,
            NoneOf = properties.TryGetValue("none_of", out var noneOf) ? ScalarList(noneOf, path + ".none_of") : null,
            Min = properties.TryGetValue("min", out var min) ? Integer(min, path + ".min") : null,
            Max = properties.TryGetValue("max", out var max) ? Integer(max, path + ".max") : null,
        };
    }

    private static Dictionary<string, JsonElement> Object(JsonElement element, string path, string[]? allowed)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(path, $"is {Kind(element)}; expected an object");
        }

        var result = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var childPath = allowed is null ? $"{path}['{property.Name}']" : $"{path}.{property.Name}";
            if (allowed is not null && !allowed.Contains(property.Name, StringComparer.Ordinal))
            {
                throw Invalid(childPath, $"is not a known key; expected one of {string.Join(", ", allowed)}");
            }

            if (!result.TryAdd(property.Name, property.Value))
            {
                throw Invalid(childPath, "appears twice");
            }
        }

        return result;
    }

    private static List<JsonElement> Array(JsonElement element, string path, bool allowEmpty)
    {
        if (element.ValueKind != JsonValueKind.Array)
        {
            throw Invalid(path, $"is {Kind(element)}; expected an array");
        }

        var items = element.EnumerateArray().ToList();
        if (items.Count == 0 && !allowEmpty)
        {
            throw Invalid(path, "is empty, which would refuse everything");
        }

        return items;
    }

    private static List<object> ScalarList(JsonElement element, string path) =>
        Array(element, path, allowEmpty: false).Select((e, i) => Scalar(e, $"{path}[{i}]")).ToList();

    private static object Scalar(JsonElement element, string path) => element.ValueKind switch
    {
        JsonValueKind.String => element.GetString()!,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => Integer(element, path),
        _ => throw Invalid(path, $"is {Kind(element)}; expected a string, an integer or a boolean"),
    };

    private static string StringItem(JsonElement element, string path) =>
        element.ValueKind == JsonValueKind.String ? element.GetString()! : throw Invalid(path, $"is {Kind(element)}; expected a string");

    private static long Integer(JsonElement element, string path) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var value)
            ? value
            : throw Invalid(path, $"is {Kind(element)}; expected an integer");

    private static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.Null => "null",
        _ => element.GetRawText(),
    };

    private static AttestationException Invalid(string path, string what) =>
        new(AttestationErrorCode.InvalidPolicy, $"Invalid attestation policy: {path} {what}.");
}

internal sealed record ParsedPolicy(IReadOnlyList<TeeType> Tees, bool AllowDebug, IReadOnlyList<string> TcbStatuses, IReadOnlyList<ClaimRule> Rules);
