using System.Formats.Asn1;
using System.Security.Cryptography;

namespace Mantle.Attestation.Internal;

/// <summary>
/// The three parts of a signed X.509 structure (certificate or CRL): to-be-signed bytes, algorithm and
/// signature. Intel's PKI signs everything with ecdsa-with-SHA256 (<see cref="VerifyWith"/>); AMD's with
/// RSASSA-PSS SHA-384, whose parameters are in <see cref="AlgorithmIdentifier"/>.
/// </summary>
internal readonly struct SignedDer
{
    private const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";

    private SignedDer(ReadOnlyMemory<byte> toBeSigned, ReadOnlyMemory<byte> algorithmIdentifier, string algorithm, byte[] signature)
    {
        ToBeSigned = toBeSigned;
        AlgorithmIdentifier = algorithmIdentifier;
        Algorithm = algorithm;
        Signature = signature;
    }

    public ReadOnlyMemory<byte> ToBeSigned { get; }

    /// <summary>The DER of the whole AlgorithmIdentifier (OID and parameters).</summary>
    public ReadOnlyMemory<byte> AlgorithmIdentifier { get; }

    /// <summary>The signature algorithm's OID.</summary>
    public string Algorithm { get; }

    public byte[] Signature { get; }

    /// <summary>Splits DER; throws <see cref="AsnContentException"/> or <see cref="CryptographicException"/> on bad encoding.</summary>
    public static SignedDer Parse(ReadOnlyMemory<byte> der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var sequence = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        var tbs = sequence.ReadEncodedValue();
        var algorithmIdentifier = sequence.PeekEncodedValue();
        var algorithm = sequence.ReadSequence();
        var oid = algorithm.ReadObjectIdentifier();
        var signature = sequence.ReadBitString(out var unused);
        sequence.ThrowIfNotEmpty();
        if (unused != 0)
        {
            throw new AsnContentException("signature bit string has unused bits");
        }

        return new SignedDer(tbs, algorithmIdentifier, oid, signature);
    }

    public bool VerifyWith(ECDsa issuerKey) =>
        Algorithm == EcdsaWithSha256 &&
        issuerKey.VerifyData(ToBeSigned.Span, Signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
}
