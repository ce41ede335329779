using System.Collections.Concurrent;
using Mantle.Attestation;
using Mantle.Attestation.Policy;

namespace Mantle.KeyBroker.Internal.Policy;

/// <summary>Evaluates Mantle attestation policies (<see cref="AttestationPolicy"/>), caching parsed documents by their text.</summary>
internal sealed class AttestationPolicyEngine : IPolicyEngine
{
    private const int MaxCached = 256;
    private readonly ConcurrentDictionary<string, AttestationPolicy> _cache = new(StringComparer.Ordinal);

    public string? Validate(string document)
    {
        try
        {
            AttestationPolicy.Parse(document);
            return null;
        }
        catch (AttestationException ex)
        {
            return ex.Message;
        }
    }

    public PolicyDecision Evaluate(string document, AttestationClaims claims)
    {
        AttestationPolicy policy;
        try
        {
            policy = Get(document);
        }
        catch (AttestationException ex)
        {
            return new PolicyDecision(false, ["the stored policy is not valid: " + ex.Message]);
        }

        var decision = policy.Evaluate(claims);
        return new PolicyDecision(decision.Allowed, decision.Failures.Select(f => f.Message).ToArray());
    }

    private AttestationPolicy Get(string document)
    {
        if (_cache.TryGetValue(document, out var cached))
        {
            return cached;
        }

        var parsed = AttestationPolicy.Parse(document);
        if (_cache.Count >= MaxCached)
        {
            _cache.Clear();
        }

        _cache[document] = parsed;
        return parsed;
    }
}
