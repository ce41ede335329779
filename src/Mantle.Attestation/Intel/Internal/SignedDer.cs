using System.Formats.Asn1;
using System.Security.Cryptography;

namespace Mantle.Attestation.Intel.Internal;

/// <summary>
/// The three parts of a signed X.509 structure (certificate or CRL): to-be-signed bytes, algorithm and
/// signature. Intel's PKI signs everything with ecdsa-with-SHA256.
/// </summary>
internal readonly struct SignedDer
{
    private const string EcdsaWithSha256 = "1.2.840.10045.4.3.2";

    private SignedDer(ReadOnlyMemory<byte> toBeSigned, string algorithm, byte[] signature)
    {
        ToBeSigned = toBeSigned;
        Algorithm = algorithm;
        Signature = signature;
    }

    public ReadOnlyMemory<byte> ToBeSigned { get; }

    public string Algorithm { get; }

    public byte[] Signature { get; }

    /// <summary>Splits DER; throws <see cref="AsnContentException"/> or <see cref="CryptographicException"/> on bad encoding.</summary>
    public static SignedDer Parse(ReadOnlyMemory<byte> der)
    {
        var outer = new AsnReader(der, AsnEncodingRules.DER);
        var sequence = outer.ReadSequence();
        outer.ThrowIfNotEmpty();
        var tbs = sequence.ReadEncodedValue();
        var algorithm = sequence.ReadSequence();
        var oid = algorithm.ReadObjectIdentifier();
        var signature = sequence.ReadBitString(out var unused);
        sequence.ThrowIfNotEmpty();
        if (unused != 0)
        {
            throw new AsnContentException("signature bit string has unused bits");
        }

        return new SignedDer(tbs, oid, signature);
    }

    public bool VerifyWith(ECDsa issuerKey) =>
        Algorithm == EcdsaWithSha256 &&
        issuerKey.VerifyData(ToBeSigned.Span, Signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence);
}
