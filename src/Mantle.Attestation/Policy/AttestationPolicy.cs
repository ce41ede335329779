using Mantle.Attestation.Policy.Internal;

namespace Mantle.Attestation.Policy;

/// <summary>
/// A declarative attestation policy (JSON, version 1), for example
/// <code>
/// {"version": 1, "tees": ["sgx", "tdx"], "allow_debug": false, "tcb_status": ["UpToDate", "SWHardeningNeeded"],
///  "claims": {"measurement": {"one_of": ["&lt;hex&gt;"]}, "sgx.isv_svn": {"min": 2}}}
/// </code>
/// Defaults: <c>tees</c> = sgx, tdx, snp (<c>sim</c> only when listed); <c>allow_debug</c> = false;
/// <c>tcb_status</c> = UpToDate only; no claim rules. A claim rule has any of <c>equals</c>, <c>one_of</c>,
/// <c>none_of</c>, <c>min</c>, <c>max</c>; rules on a TEE's own claims (<c>sgx.…</c>) apply only to evidence of
/// that TEE. Hex strings compare case-insensitively.
/// </summary>
public sealed class AttestationPolicy
{
    private readonly ParsedPolicy _parsed;

    private AttestationPolicy(ParsedPolicy parsed, string json)
    {
        _parsed = parsed;
        Json = json;
    }

    /// <summary>The policy with every default: any hardware TEE, no debug, TCB status UpToDate, no claim rules.</summary>
    public static AttestationPolicy Default { get; } = Parse("""{"version": 1}""");

    /// <summary>The JSON text the policy was parsed from.</summary>
    public string Json { get; }

    /// <summary>The TEE kinds the policy accepts.</summary>
    public IReadOnlyList<TeeType> Tees => _parsed.Tees;

    /// <summary>Whether evidence from a TEE in debug mode is accepted.</summary>
    public bool AllowDebug => _parsed.AllowDebug;

    /// <summary>The accepted TCB statuses.</summary>
    public IReadOnlyList<string> TcbStatuses => _parsed.TcbStatuses;

    /// <summary>Parses policy JSON.</summary>
    /// <exception cref="AttestationException">With <see cref="AttestationErrorCode.InvalidPolicy"/>: the JSON is malformed or has an unknown key or value; the message names its JSON path.</exception>
    public static AttestationPolicy Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return new AttestationPolicy(PolicyParser.Parse(json), json);
    }

    /// <summary>Reads and parses a policy file.</summary>
    /// <exception cref="AttestationException">The file cannot be read or holds an invalid policy.</exception>
    public static AttestationPolicy Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new AttestationException(AttestationErrorCode.InvalidPolicy, $"Cannot read the policy file '{path}': {ex.Message}", ex);
        }

        try
        {
            return Parse(json);
        }
        catch (AttestationException ex)
        {
            throw new AttestationException(ex.Code, $"{path}: {ex.Message}", ex);
        }
    }

    /// <summary>Evaluates verified claims: every rule is checked and every refusal reported.</summary>
    public PolicyDecision Evaluate(AttestationClaims claims)
    {
        ArgumentNullException.ThrowIfNull(claims);
        var failures = new List<PolicyFailure>();
        if (!_parsed.Tees.Contains(claims.Tee))
        {
            var expected = "one of [" + string.Join(", ", _parsed.Tees.Select(t => t.ToName())) + "]";
            if (claims.Tee == TeeType.Sim)
            {
                expected += " (the simulated TEE gives no security; list \"sim\" in tees to accept it)";
            }

            failures.Add(new PolicyFailure("tee", expected, "'" + claims.Tee.ToName() + "'"));
        }

        if (claims.Debug && !_parsed.AllowDebug)
        {
            failures.Add(new PolicyFailure("debug", "false (debug TEEs are refused unless \"allow_debug\": true)", "true"));
        }

        if (!_parsed.TcbStatuses.Contains(claims.TcbStatus, StringComparer.OrdinalIgnoreCase))
        {
            failures.Add(new PolicyFailure("tcb_status", "one of [" + string.Join(", ", _parsed.TcbStatuses) + "]", "'" + claims.TcbStatus + "'"));
        }

        var all = claims.ToDictionary();
        foreach (var rule in _parsed.Rules)
        {
            if (rule.AppliesTo is { } tee && tee != claims.Tee)
            {
                continue;
            }

            rule.Evaluate(all, failures);
        }

        return new PolicyDecision(failures);
    }

    /// <inheritdoc />
    public override string ToString() => Json;
}
