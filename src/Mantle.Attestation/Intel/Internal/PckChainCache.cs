using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mantle.Attestation.Intel.Internal;

/// <summary>
/// Remembers PCK chains whose signatures verified, keyed by the SHA-256 of the certification data and
/// the set of trusted roots: a platform sends the same chain with every quote. Signatures do not depend on
/// the time; validity windows are checked again on every use.
/// </summary>
internal static class PckChainCache
{
    private const int MaxEntriesPerRoots = 1024;

    private static readonly ConditionalWeakTable<IReadOnlyList<X509Certificate2>, ConcurrentDictionary<string, Entry>> Caches = new();

    /// <summary>A validated chain, its SGX extensions and the PCK public key (kept for QE report checks; verification only).</summary>
    public sealed record Entry(X509Certificate2[] Chain, PckExtensions Extensions, ECDsa PckKey);

    public static Entry GetOrValidate(ReadOnlySpan<byte> certificationData, IReadOnlyList<X509Certificate2> roots, DateTimeOffset at)
    {
        var cache = Caches.GetValue(roots, _ => new ConcurrentDictionary<string, Entry>(StringComparer.Ordinal));
        var key = Convert.ToHexString(SHA256.HashData(certificationData));
        if (cache.TryGetValue(key, out var cached))
        {
            ChainValidator.CheckWindows(cached.Chain, at, "PCK certificate chain");
            return cached;
        }

        var entry = Validate(certificationData, roots, at);
        if (cache.Count >= MaxEntriesPerRoots)
        {
            cache.Clear();
        }

        cache[key] = entry;
        return entry;
    }

    private static Entry Validate(ReadOnlySpan<byte> certificationData, IReadOnlyList<X509Certificate2> roots, DateTimeOffset at)
    {
        var presented = Pem.TryReadCertificates(certificationData)
            ?? throw IntelErrors.Malformed("the certification data holds no valid PEM PCK certificate chain");
        if (presented.Count < 2)
        {
            throw IntelErrors.Chain("The quote's PCK chain has only one certificate; it needs the PCK certificate and its CA.");
        }

        var chain = ChainValidator.Validate(presented, roots, at, "PCK certificate chain");
        if (chain.Length < 3)
        {
            throw IntelErrors.Chain("The PCK certificate is issued directly by the root; a genuine PCK certificate is issued by a PCK Processor or Platform CA.");
        }

        var key = chain[0].GetECDsaPublicKey() ?? throw IntelErrors.Chain("The PCK certificate does not hold an ECDSA key.");
        return new Entry(chain, PckExtensions.Read(chain[0]), key);
    }
}
