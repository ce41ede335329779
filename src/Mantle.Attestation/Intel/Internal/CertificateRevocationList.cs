using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mantle.Attestation.Intel.Internal;

/// <summary>A parsed X.509 CRL (RFC 5280 TBSCertList): issuer, validity window, revoked serial numbers, signature.</summary>
internal sealed class CertificateRevocationList
{
    private readonly HashSet<string> _revoked;
    private readonly SignedDer _signed;

    private CertificateRevocationList(SignedDer signed, byte[] issuer, DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate, HashSet<string> revoked)
    {
        _signed = signed;
        Issuer = issuer;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        _revoked = revoked;
    }

    /// <summary>The DER of the issuer name.</summary>
    public byte[] Issuer { get; }

    public DateTimeOffset ThisUpdate { get; }

    public DateTimeOffset? NextUpdate { get; }

    public int Count => _revoked.Count;

    public static CertificateRevocationList Parse(ReadOnlyMemory<byte> der, string what)
    {
        try
        {
            var signed = SignedDer.Parse(der);
            var tbs = new AsnReader(signed.ToBeSigned, AsnEncodingRules.DER).ReadSequence();
            if (tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Integer))
            {
                tbs.ReadInteger();
            }

            tbs.ReadSequence();
            var issuer = tbs.ReadEncodedValue().ToArray();
            var thisUpdate = ReadTime(tbs);
            DateTimeOffset? nextUpdate = null;
            if (tbs.HasData && IsTime(tbs.PeekTag()))
            {
                nextUpdate = ReadTime(tbs);
            }

            var revoked = new HashSet<string>(StringComparer.Ordinal);
            if (tbs.HasData && tbs.PeekTag().HasSameClassAndValue(Asn1Tag.Sequence))
            {
                var entries = tbs.ReadSequence();
                while (entries.HasData)
                {
                    var entry = entries.ReadSequence();
                    revoked.Add(SerialKey(entry.ReadIntegerBytes().Span));
                }
            }

            return new CertificateRevocationList(signed, issuer, thisUpdate, nextUpdate, revoked);
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or FormatException)
        {
            throw IntelErrors.Collateral($"The {what} is not a valid DER X.509 CRL ({e.Message}). Supply the CRL as issued by Intel PCS.");
        }
    }

    public bool IsRevoked(X509Certificate2 certificate) => _revoked.Contains(SerialKey(certificate.SerialNumberBytes.Span));

    public bool IsIssuedBy(X509Certificate2 issuer) => issuer.SubjectName.RawData.AsSpan().SequenceEqual(Issuer);

    public bool VerifySignature(X509Certificate2 issuer)
    {
        using var key = issuer.GetECDsaPublicKey();
        return key is not null && _signed.VerifyWith(key);
    }

    /// <summary>Serial numbers compare as unsigned big-endian integers without leading zero bytes.</summary>
    private static string SerialKey(ReadOnlySpan<byte> bigEndian)
    {
        var start = 0;
        while (start < bigEndian.Length - 1 && bigEndian[start] == 0)
        {
            start++;
        }

        return Convert.ToHexString(bigEndian[start..]);
    }

    private static bool IsTime(Asn1Tag tag) =>
        tag.HasSameClassAndValue(Asn1Tag.UtcTime) || tag.HasSameClassAndValue(Asn1Tag.GeneralizedTime);

    private static DateTimeOffset ReadTime(AsnReader reader) =>
        reader.PeekTag().HasSameClassAndValue(Asn1Tag.UtcTime) ? reader.ReadUtcTime() : reader.ReadGeneralizedTime();
}
