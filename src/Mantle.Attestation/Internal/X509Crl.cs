using System.Formats.Asn1;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Mantle.Attestation.Internal;

/// <summary>
/// A parsed X.509 CRL (RFC 5280 CertificateList): issuer, validity window, revoked serial numbers, and the signed parts.
/// Used for Intel's PCK and root CRLs and AMD's KDS CRLs; each checks the signature with its own algorithm.
/// </summary>
internal sealed class X509Crl
{
    private readonly HashSet<string> _revoked;

    private X509Crl(SignedDer signed, byte[] issuer, DateTimeOffset thisUpdate, DateTimeOffset? nextUpdate, HashSet<string> revoked)
    {
        Signed = signed;
        Issuer = issuer;
        ThisUpdate = thisUpdate;
        NextUpdate = nextUpdate;
        _revoked = revoked;
    }

    /// <summary>The to-be-signed bytes, the signature algorithm and the signature.</summary>
    public SignedDer Signed { get; }

    /// <summary>The DER of the issuer name.</summary>
    public byte[] Issuer { get; }

    public DateTimeOffset ThisUpdate { get; }

    public DateTimeOffset? NextUpdate { get; }

    /// <summary>How many serial numbers the CRL revokes.</summary>
    public int Count => _revoked.Count;

    /// <summary>Parses DER; on failure returns false and what was wrong, for the caller's own error.</summary>
    public static bool TryParse(ReadOnlyMemory<byte> der, out X509Crl? crl, out string? problem)
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
            DateTimeOffset? nextUpdate = tbs.HasData && IsTime(tbs.PeekTag()) ? ReadTime(tbs) : null;
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

            crl = new X509Crl(signed, issuer, thisUpdate, nextUpdate, revoked);
            problem = null;
            return true;
        }
        catch (Exception e) when (e is AsnContentException or CryptographicException or FormatException)
        {
            crl = null;
            problem = e.Message;
            return false;
        }
    }

    /// <summary>True when the DER is a CertificateList rather than a Certificate (whose TBS starts with the [0] version).</summary>
    public static bool LooksLikeCrl(ReadOnlyMemory<byte> der)
    {
        try
        {
            var tbs = new AsnReader(der, AsnEncodingRules.DER).ReadSequence().ReadSequence();
            return !tbs.PeekTag().HasSameClassAndValue(new Asn1Tag(TagClass.ContextSpecific, 0, isConstructed: true));
        }
        catch (AsnContentException)
        {
            return false;
        }
    }

    public bool IsRevoked(X509Certificate2 certificate) => _revoked.Contains(SerialKey(certificate.SerialNumberBytes.Span));

    public bool IsIssuedBy(X509Certificate2 issuer) => issuer.SubjectName.RawData.AsSpan().SequenceEqual(Issuer);

    public bool IsValidAt(DateTimeOffset time) => time >= ThisUpdate && (NextUpdate is not { } next || time <= next);

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
